//! Typed values into [`Yaml`]: any `Serialize` value (the `k8s-openapi` objects, our own CRD
//! structs) becomes a [`Yaml`] tree with its fields in declaration order, so the one YAML
//! writer writes it and a generator can still put a comment above any key.

use super::yaml::{Entry, Yaml};
use serde::ser::{self, Serialize};
use std::fmt;

/// Why a value could not become YAML (a map key that is not a string, a float that is not
/// finite): a generator's bug, never the person's input.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// `value` as a [`Yaml`] tree. `None` fields that serialise as absent stay absent; a unit or
/// `None` in a sequence or map becomes an empty string, which no generator emits.
pub fn to_yaml<T: Serialize + ?Sized>(value: &T) -> Result<Yaml, Error> {
    value.serialize(Ser)
}

struct Ser;

fn decimal(v: f64) -> Result<Yaml, Error> {
    if !v.is_finite() {
        return Err(Error(format!("{v} is not a YAML number")));
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Ok(Yaml::Int(v as i64))
    } else {
        Ok(Yaml::Decimal(v.to_string()))
    }
}

impl ser::Serializer for Ser {
    type Ok = Yaml;
    type Error = Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = VariantSer<SeqSer>;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = VariantSer<MapSer>;

    fn serialize_bool(self, v: bool) -> Result<Yaml, Error> {
        Ok(Yaml::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Yaml, Error> {
        Ok(Yaml::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Yaml, Error> {
        i64::try_from(v)
            .map(Yaml::Int)
            .map_err(|_| Error(format!("{v} is too large")))
    }
    fn serialize_f32(self, v: f32) -> Result<Yaml, Error> {
        decimal(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Yaml, Error> {
        decimal(v)
    }
    fn serialize_char(self, v: char) -> Result<Yaml, Error> {
        Ok(Yaml::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Yaml, Error> {
        Ok(Yaml::Str(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Yaml, Error> {
        Ok(Yaml::Seq(v.iter().map(|b| Yaml::Int((*b).into())).collect()))
    }
    fn serialize_none(self) -> Result<Yaml, Error> {
        Ok(Yaml::Str(String::new()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Yaml, Error> {
        value.serialize(Ser)
    }
    fn serialize_unit(self) -> Result<Yaml, Error> {
        Ok(Yaml::Str(String::new()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Yaml, Error> {
        Ok(Yaml::map())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Yaml, Error> {
        Ok(Yaml::Str(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Yaml, Error> {
        value.serialize(Ser)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Yaml, Error> {
        Ok(Yaml::map().with(variant, value.serialize(Ser)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, Error> {
        Ok(SeqSer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<SeqSer>, Error> {
        Ok(VariantSer(variant, SeqSer(Vec::with_capacity(len))))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer(Vec::new(), None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapSer, Error> {
        Ok(MapSer(Vec::new(), None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<VariantSer<MapSer>, Error> {
        Ok(VariantSer(variant, MapSer(Vec::new(), None)))
    }
}

struct SeqSer(Vec<Yaml>);

impl ser::SerializeSeq for SeqSer {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(value.serialize(Ser)?);
        Ok(())
    }
    fn end(self) -> Result<Yaml, Error> {
        Ok(Yaml::Seq(self.0))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Yaml, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Yaml, Error> {
        ser::SerializeSeq::end(self)
    }
}

struct MapSer(Vec<Entry>, Option<String>);

fn entry(key: String, value: Yaml) -> Entry {
    Entry {
        when: None,
        key,
        value,
        comment: None,
        note: None,
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        match key.serialize(Ser)? {
            Yaml::Str(s) => self.1 = Some(s),
            Yaml::Int(n) => self.1 = Some(n.to_string()),
            other => return Err(Error(format!("a map key must be a string, not {other:?}"))),
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.1.take().ok_or_else(|| Error("a map value without a key".into()))?;
        self.0.push(entry(key, value.serialize(Ser)?));
        Ok(())
    }
    fn end(self) -> Result<Yaml, Error> {
        Ok(Yaml::Map(self.0))
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.0.push(entry(key.to_string(), value.serialize(Ser)?));
        Ok(())
    }
    fn end(self) -> Result<Yaml, Error> {
        Ok(Yaml::Map(self.0))
    }
}

struct VariantSer<S>(&'static str, S);

impl ser::SerializeTupleVariant for VariantSer<SeqSer> {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.1, value)
    }
    fn end(self) -> Result<Yaml, Error> {
        Ok(Yaml::map().with(self.0, ser::SerializeSeq::end(self.1)?))
    }
}

impl ser::SerializeStructVariant for VariantSer<MapSer> {
    type Ok = Yaml;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }
    fn end(self) -> Result<Yaml, Error> {
        Ok(Yaml::map().with(self.0, ser::SerializeStruct::end(self.1)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::yaml::to_string;
    use serde::Serialize;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        http_get: Get,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_seconds: Option<i32>,
        period_seconds: i32,
    }

    #[derive(Serialize)]
    struct Get {
        path: String,
        port: String,
    }

    #[test]
    fn structs_keep_their_field_order_and_skip_absent_fields() {
        let p = Probe {
            http_get: Get {
                path: "/health".into(),
                port: "http".into(),
            },
            timeout_seconds: None,
            period_seconds: 10,
        };
        let y = to_yaml(&p).unwrap();
        assert_eq!(
            to_string(&y, ""),
            "httpGet:\n  path: /health\n  port: http\n\nperiodSeconds: 10\n"
        );
    }

    #[test]
    fn numbers_strings_and_maps_map_over() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("b", 1.5f64);
        m.insert("a", 2.0f64);
        let y = to_yaml(&m).unwrap();
        assert_eq!(to_string(&y, ""), "a: 2\nb: 1.5\n");
        assert!(to_yaml(&f64::NAN).is_err());
        assert_eq!(to_yaml("8000").unwrap(), Yaml::Str("8000".into()));
    }
}
