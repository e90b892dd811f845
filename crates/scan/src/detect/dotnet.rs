//! .NET projects: ASP.NET Core web apps, workers, and the libraries and tests beside them.

use super::{Cx, Dep, Detected, Found, Workspace};
use crate::view::{join, line_of};
use crate::Evidence;

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let in_dir: Vec<String> = cx
        .view
        .index()
        .names_in(dir)
        .iter()
        .filter(|f| f.ends_with(".csproj") || f.ends_with(".fsproj") || f.ends_with(".sln") || f.ends_with(".slnx"))
        .map(|f| join(dir, f))
        .collect();
    let mut found = Vec::new();
    if let Some(sln) = in_dir.iter().find(|f| f.ends_with(".sln") || f.ends_with(".slnx")) {
        found.push(Found::Workspace(Workspace {
            dir: dir.to_string(),
            tool: "dotnet".into(),
            members: Vec::new(),
            lockfile: None,
            package_manager: Some("nuget".into()),
            install_command: None,
            runtime_version: None,
            evidence: Evidence {
                file: sln.clone(),
                line: None,
                reason: "a .NET solution".into(),
            },
        }));
    }
    let Some(proj) = in_dir.iter().find(|f| f.ends_with("proj")).cloned() else {
        return found;
    };
    let Some(text) = cx.text(&proj) else { return found };
    let Some(doc) = cx.xml(&proj, &text) else { return found };
    let root = doc.root_element();
    let prop = |name: &str| {
        root.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string())
    };
    let file_name = proj.rsplit('/').next().unwrap_or(&proj);
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s).to_string();
    let assembly = prop("AssemblyName").unwrap_or_else(|| stem.clone());
    let sdk = root.attribute("Sdk").unwrap_or("").to_string();
    let fsharp = proj.ends_with(".fsproj");
    let mut d = Detected::new(
        cx.service(dir, Some(&stem), if fsharp { "fsharp" } else { "csharp" }),
        "dotnet",
        if fsharp { &[".fs"] } else { &[".cs"] },
    );
    d.svc.cite(&proj, Some(1), format!("{file_name} uses the {sdk} SDK"));
    d.svc.package_manager = Some("nuget".into());
    if cx.is_file(&join(dir, "packages.lock.json")) {
        d.svc.lockfile = Some("packages.lock.json".into());
    }
    for n in root.descendants().filter(|n| n.has_tag_name("PackageReference")) {
        if let Some(inc) = n.attribute("Include") {
            d.deps.push(Dep {
                name: inc.to_string(),
                file: proj.clone(),
                line: line_of(&text, &format!("\"{inc}\"")),
            });
        }
    }
    d.deps.push(Dep {
        name: sdk.clone(),
        file: proj.clone(),
        line: Some(1),
    });
    let tf = prop("TargetFramework")
        .or_else(|| prop("TargetFrameworks").map(|t| t.split(';').next().unwrap_or("").to_string()));
    match tf
        .as_deref()
        .and_then(|t| t.strip_prefix("net"))
        .filter(|v| v.contains('.'))
    {
        Some(v) => {
            d.svc
                .cite(&proj, line_of(&text, "<TargetFramework"), format!("targets .NET {v}"));
            d.svc.runtime_version = Some(v.to_string());
        }
        None => cx.runtime_from_range(&mut d.svc, "dotnet", None),
    }
    if let Some((gtext, g)) = ["global.json"]
        .iter()
        .flat_map(|f| [join(dir, f), f.to_string()])
        .find(|p| cx.is_file(p))
        .and_then(|p| cx.json(&p).map(|(t, v)| ((p, t), v)))
    {
        if let Some(v) = g.get("sdk").and_then(|s| s.get("version")).and_then(|v| v.as_str()) {
            d.svc.cite(
                &gtext.0,
                line_of(&gtext.1, "\"version\""),
                format!("global.json pins the .NET SDK {v}"),
            );
        }
    }
    let here = if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    };
    let test =
        prop("IsTestProject").is_some_and(|v| v.eq_ignore_ascii_case("true")) || d.has_dep("Microsoft.NET.Test.Sdk");
    if test {
        found.push(Found::Library {
            path: here,
            reason: format!("{file_name} is a test project"),
        });
        return found;
    }
    d.svc.install_command = Some(format!("dotnet restore {file_name}"));
    d.svc.build_command = Some(format!("dotnet publish {file_name} -c Release -o out --no-restore"));
    d.svc.artifact = Some("out".into());
    d.svc.start_command = Some(format!("dotnet out/{assembly}.dll"));
    if d.framework_from_deps().is_none() {
        let exe = prop("OutputType").is_some_and(|o| o.eq_ignore_ascii_case("exe")) || sdk.contains("Worker");
        if !exe {
            found.push(Found::Library {
                path: here,
                reason: format!("{file_name} is a class library"),
            });
            return found;
        }
        d.svc.kind = "worker".into();
    }
    found.push(Found::Service(Box::new(d)));
    found
}
