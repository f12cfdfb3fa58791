//! Finding input files: the given files, plus files with the wanted extensions under the
//! given directories (recursively, skipping hidden names), sorted.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub(crate) fn files_under(paths: &[impl AsRef<Path>], extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        let meta = std::fs::metadata(p).map_err(|e| Error::Read { path: p.to_path_buf(), reason: e.to_string() })?;
        if meta.is_dir() {
            walk(p, extensions, &mut out)?;
        } else {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> Result<()> {
    let read_err = |e: std::io::Error| Error::Read { path: dir.to_path_buf(), reason: e.to_string() };
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            walk(&path, extensions, out)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x))) {
            out.push(path);
        }
    }
    Ok(())
}
