//! The small interface uploads are stored behind, and its implementation on the local disk.
//! Object storage can take its place later: the upload steps and the sweep only use these calls.
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A stored file as listed for the sweep and `emsp storage check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// As rows name it, e.g. `photos/3f2c….png`.
    pub name: String,
    /// Written, but not yet published under its final name (and not served).
    pub staged: bool,
    pub modified: SystemTime,
}

#[async_trait::async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Writes `bytes` durably under the staging name of `name`; not served.
    async fn stage(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// Makes the staged `name` visible under its final name, atomically. Publishing what is
    /// already published succeeds, so the sweep and an upload may both try.
    async fn publish(&self, name: &str) -> io::Result<()>;
    /// Removes the staged or the published `name`; a missing file is not an error.
    async fn remove(&self, name: &str, staged: bool) -> io::Result<()>;
    /// Every stored file, staged and published.
    async fn list(&self) -> io::Result<Vec<Listed>>;
}

/// Published files under `<data dir>/uploads` (served), staged ones under
/// `<data dir>/upload-staging` (on the same file system, so publishing is a rename).
pub struct LocalDisk {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalDisk {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("uploads"), staging: data_dir.join("upload-staging") }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `name` below `base`; names come from our rows and random ids, never from a client's path,
    /// but a name that would leave `base` is refused all the same.
    fn path(base: &Path, name: &str) -> io::Result<PathBuf> {
        let safe = !name.is_empty()
            && name.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
        if safe {
            Ok(base.join(name))
        } else {
            Err(io::Error::new(ErrorKind::InvalidInput, format!("not a stored file name: {name:?}")))
        }
    }
}

/// Makes a directory's entries (a new file, a rename) durable, not only the files' contents.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    tokio::fs::File::open(dir).await?.sync_all().await
}

fn parent(path: &Path) -> io::Result<&Path> {
    path.parent().ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, "a stored file needs a folder"))
}

fn missing_is_fine(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[async_trait::async_trait]
impl Storage for LocalDisk {
    async fn stage(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let path = Self::path(&self.staging, name)?;
        let dir = parent(&path)?;
        tokio::fs::create_dir_all(dir).await?;
        let mut file = tokio::fs::File::create(&path).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        sync_dir(dir).await
    }

    async fn publish(&self, name: &str) -> io::Result<()> {
        let (staged, published) = (Self::path(&self.staging, name)?, Self::path(&self.root, name)?);
        let dir = parent(&published)?;
        tokio::fs::create_dir_all(dir).await?;
        match tokio::fs::rename(&staged, &published).await {
            Err(e) if e.kind() == ErrorKind::NotFound && tokio::fs::try_exists(&published).await? => Ok(()),
            Err(e) => Err(e),
            Ok(()) => sync_dir(dir).await,
        }
    }

    async fn remove(&self, name: &str, staged: bool) -> io::Result<()> {
        let path = Self::path(if staged { &self.staging } else { &self.root }, name)?;
        missing_is_fine(tokio::fs::remove_file(path).await)
    }

    async fn list(&self) -> io::Result<Vec<Listed>> {
        let (root, staging) = (self.root.clone(), self.staging.clone());
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            walk(&root, &root, false, &mut found)?;
            walk(&staging, &staging, true, &mut found)?;
            Ok(found)
        })
        .await
        .map_err(io::Error::other)?
    }
}

fn walk(base: &Path, dir: &Path, staged: bool, out: &mut Vec<Listed>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    for entry in entries {
        let entry = entry?;
        let (path, kind) = (entry.path(), entry.file_type()?);
        if kind.is_dir() {
            walk(base, &path, staged, out)?;
        } else if kind.is_file() {
            let relative = path.strip_prefix(base).map_err(io::Error::other)?;
            let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push(Listed { name, staged, modified: entry.metadata()?.modified()? });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_staged_then_published_and_listed_as_such() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = LocalDisk::new(dir.path());
        disk.stage("photos/a.png", b"image").await.expect("stage");
        let listed = disk.list().await.expect("list");
        assert_eq!(listed.len(), 1);
        assert!(listed[0].staged && listed[0].name == "photos/a.png");
        assert!(!dir.path().join("uploads/photos/a.png").exists(), "a staged file is not served");

        disk.publish("photos/a.png").await.expect("publish");
        disk.publish("photos/a.png").await.expect("publishing twice is fine");
        assert_eq!(std::fs::read(dir.path().join("uploads/photos/a.png")).expect("published"), b"image");
        let listed = disk.list().await.expect("list");
        assert!(listed.len() == 1 && !listed[0].staged);

        disk.remove("photos/a.png", false).await.expect("remove");
        disk.remove("photos/a.png", false).await.expect("removing twice is fine");
        assert!(disk.list().await.expect("list").is_empty());
        assert!(disk.publish("photos/never-staged.png").await.is_err());
    }

    #[tokio::test]
    async fn names_cannot_leave_the_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = LocalDisk::new(dir.path());
        for name in ["../jwt-secret", "photos/../../x", "/etc/passwd", ""] {
            assert!(disk.remove(name, false).await.is_err(), "{name}");
        }
    }
}
