//! Storing a CPO's logo and its locations' photos: all files and rows of a request, or none, and
//! nothing orphaned by a crash at any point (files are staged, the rows committed, then the files
//! published; see `uploads`).
use crate::error::ServiceError;
use crate::store::{PhotoRefusal, Store};
use crate::uploads::{self, ProcessedImage, StoredImage, UploadDir, UploadError};
use std::future::Future;

pub const MAX_PHOTOS_PER_LOCATION: i64 = 5;

/// Images are decoded and re-encoded on one thread of their own, one at a time for the whole
/// server: memory for pixels is bounded by one image (at most 40 MP, 224 MiB by the decoder's
/// limit), and the allocator reuses that thread's memory instead of keeping a freed 100+ MiB
/// block per blocking thread (8 concurrent 40 MP uploads added 266 MiB that way). Requests on the
/// async runtime are not slowed; the second core stays free for them.
fn decoder() -> Result<&'static rayon_core::ThreadPool, ServiceError> {
    static POOL: std::sync::OnceLock<Result<rayon_core::ThreadPool, String>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon_core::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "images".into())
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| ServiceError::internal(format!("the image thread could not be started: {e}")))
}

/// Checks and re-encodes every file on the image thread; the first bad file refuses the request.
async fn process_all(field: &'static str, files: Vec<Vec<u8>>) -> Result<Vec<ProcessedImage>, ServiceError> {
    let (done, result) = tokio::sync::oneshot::channel();
    decoder()?.spawn(move || {
        let processed: Result<Vec<_>, UploadError> = files.iter().map(|bytes| uploads::process(field, bytes)).collect();
        let _ = done.send(processed);
    });
    Ok(result.await.map_err(ServiceError::internal)??)
}

/// Stages every image (step one of an upload); on any error none of them remains.
async fn stage_all(dir: &UploadDir, folder: &str, images: &[ProcessedImage]) -> Result<Vec<StoredImage>, ServiceError> {
    let mut stored = Vec::with_capacity(images.len());
    for image in images {
        match dir.stage(folder, image).await {
            Ok(staged) => stored.push(staged),
            Err(e) => {
                dir.discard(&stored).await;
                return Err(UploadError::Io(e).into());
            }
        }
    }
    Ok(stored)
}

/// Runs `work` to completion even if the client disconnects and the request future is dropped:
/// files written before the commit must be either committed or removed, never orphaned.
async fn detached<T: Send + 'static>(
    work: impl Future<Output = Result<T, ServiceError>> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::spawn(work).await.map_err(ServiceError::internal)?
}

/// Replaces the owner's logo; returns its public URL.
pub async fn replace_logo(
    store: &Store,
    dir: &UploadDir,
    owner_id: i64,
    file: Vec<u8>,
) -> Result<String, ServiceError> {
    let images = process_all("cpo_logo", vec![file]).await?;
    let (store, dir) = (store.clone(), dir.clone());
    detached(async move {
        let stored = stage_all(&dir, "logos", &images).await?;
        let Some(logo) = stored.first().cloned() else {
            return Err(ServiceError::internal("no logo stored"));
        };
        match store.set_logo(owner_id, &logo).await {
            Ok(previous) => {
                dir.publish(&stored).await.map_err(UploadError::Io)?;
                dir.remove_files(previous.into_iter().collect()).await;
                Ok(logo.url())
            }
            Err(e) => {
                dir.discard(&stored).await;
                Err(e.into())
            }
        }
    })
    .await
}

/// Adds 1–5 photos to a location of `owner_id`; returns their public URLs.
pub async fn add_location_photos(
    store: &Store,
    dir: &UploadDir,
    owner_id: i64,
    location_id: i64,
    files: Vec<Vec<u8>>,
) -> Result<Vec<String>, ServiceError> {
    if files.is_empty() {
        return Err(ServiceError::invalid("location_photos", "at least one photo is required"));
    }
    if files.len() as i64 > MAX_PHOTOS_PER_LOCATION {
        return Err(ServiceError::invalid(
            "location_photos",
            format!("at most {MAX_PHOTOS_PER_LOCATION} photos per request"),
        ));
    }
    // Refuse early (before any decoding) what the commit would refuse anyway.
    match store.location_owner(location_id).await? {
        None => return Err(ServiceError::NotFound(format!("location {location_id} not found"))),
        Some(owner) if owner != owner_id => {
            return Err(ServiceError::Forbidden(format!("location {location_id} belongs to another CPO")))
        }
        Some(_) => {}
    }
    let images = process_all("location_photos", files).await?;
    let (store, dir) = (store.clone(), dir.clone());
    detached(async move {
        let stored = stage_all(&dir, "photos", &images).await?;
        match store.add_location_photos(owner_id, location_id, &stored, MAX_PHOTOS_PER_LOCATION).await {
            Ok(()) => {
                dir.publish(&stored).await.map_err(UploadError::Io)?;
                Ok(stored.iter().map(StoredImage::url).collect())
            }
            Err(refusal) => {
                dir.discard(&stored).await;
                Err(match refusal {
                    PhotoRefusal::UnknownLocation => {
                        ServiceError::NotFound(format!("location {location_id} not found"))
                    }
                    PhotoRefusal::NotOwner => {
                        ServiceError::Forbidden(format!("location {location_id} belongs to another CPO"))
                    }
                    PhotoRefusal::Full { existing, max } => ServiceError::invalid(
                        "location_photos",
                        format!("the location has {existing} photos; at most {max} are allowed"),
                    ),
                    PhotoRefusal::Store(e) => e.into(),
                })
            }
        }
    })
    .await
}
