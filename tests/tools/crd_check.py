"""Validates every Kubernetes custom resource in the given YAML files against its CRD's JSON
schema in SCHEMAS/<group>/<kind>_<version>.json (datreeio/CRDs-catalog, copied into
tests/schemas/crds). Built-in kinds are left to kubernetes-validate. Prints one line per
error and a count; exits 1 on any error, 2 when a custom resource has no stored schema.

usage: crd_check.py [--no-schema KIND]... SCHEMAS FILE...

--no-schema KIND names a kind with no published schema that the caller checks another way;
its objects are counted apart instead of failing the run.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

BUILTIN = ("", "v1", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io")

args = sys.argv[1:]
elsewhere = set()
while args and args[0] == "--no-schema":
    elsewhere.add(args[1])
    args = args[2:]
root = pathlib.Path(args[0])
bad = checked = missing = apart = 0
for name in args[1:]:
    with open(name) as f:
        docs = list(yaml.safe_load_all(f))
    for d in docs:
        if not d:
            continue
        group, _, version = d["apiVersion"].rpartition("/")
        if group in BUILTIN:
            continue
        schema = root / group / f'{d["kind"].lower()}_{version}.json'
        if not schema.exists() and d["kind"] in elsewhere:
            apart += 1
            continue
        if not schema.exists():
            missing += 1
            print(f"{name}: no stored schema for {d['apiVersion']} {d['kind']}")
            continue
        checked += 1
        with open(schema) as f:
            validator = jsonschema.Draft7Validator(json.load(f))
        for e in validator.iter_errors(d):
            bad += 1
            print(f"{name}: {d['kind']} {d.get('metadata', {}).get('name')}: {e.message} at {list(e.path)}")
print(f"{checked} custom resources checked, {bad} errors, {missing} without a schema, {apart} checked elsewhere")
sys.exit(1 if bad else 2 if missing else 0)
