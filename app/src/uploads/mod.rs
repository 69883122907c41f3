//! Uploaded images and where they are kept.
//!
//! A file and the row that names it cannot be written in one transaction, so every upload goes
//! in three steps that a crash at any point leaves repairable: the files are written durably under
//! a staging name (never served), the row is committed, then the files are published under their
//! final names. `services::storage` sweeps what a crash left: staged files whose row committed are
//! published, and files no row names are removed once older than a grace period.
mod images;
mod storage;

pub use images::{process, ImageKind, ProcessedImage, UploadError, MAX_FILE_BYTES, MAX_PIXELS, THUMBNAIL_EDGE};
pub use storage::{Listed, LocalDisk, Storage};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where stored files are served: `/uploads/<file as rows hold it>`.
pub const PUBLIC_PREFIX: &str = "/uploads/";

pub fn public_url(relative: &str) -> String {
    format!("{PUBLIC_PREFIX}{relative}")
}

/// The thumbnail's name for an image stored as `file`.
pub fn thumbnail_name(file: &str) -> String {
    match file.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.thumb.{ext}"),
        None => format!("{file}.thumb"),
    }
}

/// The names of a stored image and its thumbnail, relative to the upload root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub file: String,
    pub thumbnail: String,
    /// Width and height in pixels (None for images stored before sizes were recorded).
    pub size: Option<(u32, u32)>,
}

impl StoredImage {
    pub fn url(&self) -> String {
        public_url(&self.file)
    }

    /// An image as rows name it: the file, and its thumbnail by convention.
    pub fn named(file: String) -> Self {
        StoredImage { thumbnail: thumbnail_name(&file), file, size: None }
    }

    /// An image as rows store it: the file and the pixel size recorded beside it, if any.
    pub fn from_columns(file: String, width: Option<i64>, height: Option<i64>) -> Self {
        let pixels = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        StoredImage { size: pixels(width).zip(pixels(height)), ..Self::named(file) }
    }

    /// The width and height columns of this image (the reverse of [`Self::from_columns`]).
    pub fn size_columns(&self) -> (Option<i64>, Option<i64>) {
        self.size.map(|(width, height)| (i64::from(width), i64::from(height))).unzip()
    }

    fn names(&self) -> [&str; 2] {
        [&self.file, &self.thumbnail]
    }
}

/// The uploaded files of this installation: `<data dir>/uploads/<folder>/<random>.<ext>`, served
/// at `/uploads/...`, behind the small [`Storage`] interface.
#[derive(Clone)]
pub struct UploadDir {
    root: PathBuf,
    storage: Arc<dyn Storage>,
}

impl std::fmt::Debug for UploadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadDir").field("root", &self.root).finish_non_exhaustive()
    }
}

impl UploadDir {
    pub fn new(data_dir: &Path) -> Self {
        let disk = LocalDisk::new(data_dir);
        Self { root: disk.root().to_owned(), storage: Arc::new(disk) }
    }

    /// The directory published files are served from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// Writes an image and its thumbnail durably under staging names in `folder` (step one of an
    /// upload); on any error nothing of it remains.
    pub async fn stage(&self, folder: &str, image: &ProcessedImage) -> std::io::Result<StoredImage> {
        let stored = StoredImage {
            size: Some((image.width, image.height)),
            ..StoredImage::named(format!("{folder}/{}.{}", uuid::Uuid::new_v4().simple(), image.kind.extension()))
        };
        let written = async {
            self.storage.stage(&stored.file, &image.full).await?;
            self.storage.stage(&stored.thumbnail, &image.thumbnail).await
        }
        .await;
        if let Err(e) = written {
            self.discard(std::slice::from_ref(&stored)).await;
            return Err(e);
        }
        Ok(stored)
    }

    /// Publishes staged images once their rows are committed (step three). On failure the
    /// upload must not be acknowledged; the row exists, and the sweep publishes the staged file
    /// later if it is still there (`emsp storage check` reports it otherwise).
    pub async fn publish(&self, images: &[StoredImage]) -> std::io::Result<()> {
        let mut outcome = Ok(());
        for name in images.iter().flat_map(StoredImage::names) {
            if let Err(e) = self.storage.publish(name).await {
                tracing::error!(file = name, error = %e, "publishing an upload failed");
                outcome = Err(e);
            }
        }
        outcome
    }

    /// Removes staged images whose rows were not committed.
    pub async fn discard(&self, images: &[StoredImage]) {
        for name in images.iter().flat_map(StoredImage::names) {
            let _ = self.storage.remove(name, true).await;
        }
    }

    /// Removes the published images stored as `files` (names as rows hold them) with their
    /// thumbnails: what a delete does once its transaction committed. Best effort: what is left
    /// behind is no row's file, and the sweep removes it.
    pub async fn remove_files(&self, files: Vec<String>) {
        for image in files.into_iter().map(StoredImage::named) {
            for name in image.names() {
                let _ = self.storage.remove(name, false).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_named_after_their_image() {
        assert_eq!(thumbnail_name("photos/ab12.jpg"), "photos/ab12.thumb.jpg");
        assert_eq!(StoredImage::named("logos/x.png".into()).thumbnail, "logos/x.thumb.png");
    }
}
