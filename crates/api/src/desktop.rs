//! What the desktop shell decides without a window: which folder a command line or a drop
//! names, and the recent-projects list. Kept here, beside the other use cases, so it is tested
//! with them; the shell only wires it to its events.

use std::path::{Path, PathBuf};

/// How many recent projects are kept.
pub const RECENT: usize = 10;

/// The project folder named on a command line (`argv` without the program), made absolute
/// against `cwd`, the folder the launch was made in.
pub fn folder_from_args<I, S>(args: I, cwd: &Path) -> Option<PathBuf>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let arg = args
        .into_iter()
        .map(|a| PathBuf::from(a.as_ref()))
        .find(|a| !a.to_string_lossy().starts_with('-'))?;
    Some(if arg.is_absolute() { arg } else { cwd.join(arg) })
}

/// What a drop holds: the one folder to open, or why nothing opens, in words.
pub fn dropped(paths: &[PathBuf]) -> Result<PathBuf, String> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    match paths {
        [] => Err("Nothing was dropped that Slipway can open: drop a project folder.".into()),
        [one] if one.is_dir() => Ok(one.clone()),
        [one] if one.exists() => {
            let holder = one.parent().map(name).unwrap_or_else(|| "its folder".into());
            Err(format!(
                "{} is a file. Drop the project's folder instead (perhaps {holder}, which holds it).",
                name(one)
            ))
        }
        [one] => Err(format!("{} cannot be opened: it is not there any more.", one.display())),
        many => {
            let folders = many.iter().filter(|p| p.is_dir()).count();
            let files = many.len() - folders;
            let what = match (folders, files) {
                (d, 0) => format!("{d} folders"),
                (0, f) => format!("{f} files"),
                (d, f) => format!(
                    "{d} folder{} and {f} file{}",
                    if d == 1 { "" } else { "s" },
                    if f == 1 { "" } else { "s" }
                ),
            };
            Err(format!(
                "You dropped {what}. Slipway works on one project at a time: drop just the project's folder."
            ))
        }
    }
}

/// `root` first in `recent`, each folder once, at most [`RECENT`].
pub fn with_opened(mut recent: Vec<String>, root: &str) -> Vec<String> {
    recent.retain(|r| r != root);
    recent.insert(0, root.to_string());
    recent.truncate(RECENT);
    recent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_on_a_command_line_is_made_absolute_against_the_launch_folder() {
        let cwd = Path::new("/home/ana/src");
        assert_eq!(
            folder_from_args(["shop"], cwd),
            Some(PathBuf::from("/home/ana/src/shop"))
        );
        assert_eq!(
            folder_from_args(["--verbose", "/srv/app"], cwd),
            Some(PathBuf::from("/srv/app"))
        );
        assert_eq!(folder_from_args(Vec::<String>::new(), cwd), None);
        assert_eq!(folder_from_args(["-x"], cwd), None);
    }

    #[test]
    fn recent_projects_are_unique_newest_first_and_capped() {
        let mut recent = Vec::new();
        for i in 0..15 {
            recent = with_opened(recent, &format!("/p/{i}"));
        }
        recent = with_opened(recent, "/p/3");
        assert_eq!(recent.len(), RECENT);
        assert_eq!(recent[0], "/p/3");
        assert_eq!(recent[1], "/p/14");
        assert_eq!(recent.iter().filter(|r| *r == "/p/3").count(), 1);
    }

    #[test]
    fn a_drop_opens_exactly_one_folder_and_says_why_otherwise() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("api"), tmp.path().join("web"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let file = a.join("server.js");
        std::fs::write(&file, "").unwrap();
        assert_eq!(dropped(std::slice::from_ref(&a)), Ok(a.clone()));
        assert_eq!(
            dropped(std::slice::from_ref(&file)),
            Err("server.js is a file. Drop the project's folder instead (perhaps api, which holds it).".into())
        );
        let two = dropped(&[a.clone(), b.clone()]).unwrap_err();
        assert!(
            two.starts_with("You dropped 2 folders. Slipway works on one project at a time"),
            "{two}"
        );
        let mixed = dropped(&[a.clone(), file.clone()]).unwrap_err();
        assert!(mixed.starts_with("You dropped 1 folder and 1 file."), "{mixed}");
        assert!(dropped(&[tmp.path().join("gone")])
            .unwrap_err()
            .contains("not there any more"));
        assert!(dropped(&[]).is_err());
    }
}
