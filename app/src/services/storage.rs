//! The uploaded files against the rows that name them: what `emsp storage check` reports, and
//! what the sweep (at start-up and periodically) repairs after a crash.
use crate::error::ServiceError;
use crate::store::Store;
use crate::uploads::{Listed, UploadDir};
use std::time::{Duration, SystemTime};

/// The files and the rows, compared.
#[derive(Debug, Default)]
pub struct StorageReport {
    /// Files, staged or published, that no committed row names.
    pub files_without_rows: Vec<Listed>,
    /// Files that committed rows name but that exist neither published nor staged.
    pub rows_without_files: Vec<String>,
    /// Staged files whose rows committed: a crash came between the commit and the publish.
    pub unpublished: Vec<String>,
}

impl StorageReport {
    pub fn is_clean(&self) -> bool {
        self.files_without_rows.is_empty() && self.rows_without_files.is_empty() && self.unpublished.is_empty()
    }
}

/// What a sweep changed.
#[derive(Debug, Default)]
pub struct Repaired {
    pub published: Vec<String>,
    pub removed: Vec<String>,
    /// Files without rows kept because they are younger than the grace period (an upload may be
    /// between its staging and its commit).
    pub kept_young: usize,
}

/// The first few names of a list, so one log line stays one line however long the list is.
fn sample<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    names.into_iter().take(10).map(String::as_str).collect()
}

/// Compares the stored files with the rows; changes nothing.
pub async fn check(store: &Store, uploads: &UploadDir) -> Result<StorageReport, ServiceError> {
    // Files first, rows second: a file listed before its row committed is then seen as named.
    let listed = uploads.storage().list().await.map_err(ServiceError::internal)?;
    let named = store.referenced_files().await?;
    let mut report = StorageReport::default();
    let mut present = std::collections::BTreeSet::new();
    for file in listed {
        present.insert(file.name.clone());
        match (named.contains(&file.name), file.staged) {
            (true, true) => report.unpublished.push(file.name),
            (true, false) => {}
            (false, _) => report.files_without_rows.push(file),
        }
    }
    report.rows_without_files = named.into_iter().filter(|name| !present.contains(name)).collect();
    Ok(report)
}

/// Publishes what committed rows name but a crash left staged, and removes the files no row
/// names once they are older than `grace`. A file a committed row names is never removed.
pub async fn sweep(
    store: &Store,
    uploads: &UploadDir,
    grace: Duration,
) -> Result<(StorageReport, Repaired), ServiceError> {
    let report = check(store, uploads).await?;
    let storage = uploads.storage();
    let mut repaired = Repaired::default();
    for name in &report.unpublished {
        match storage.publish(name).await {
            Ok(()) => repaired.published.push(name.clone()),
            Err(e) => tracing::error!(file = %name, error = %e, "cannot publish a staged upload"),
        }
    }
    let cutoff = SystemTime::now().checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH);
    for file in &report.files_without_rows {
        if file.modified > cutoff {
            repaired.kept_young += 1;
            continue;
        }
        match storage.remove(&file.name, file.staged).await {
            Ok(()) => repaired.removed.push(file.name.clone()),
            Err(e) => tracing::error!(file = %file.name, error = %e, "cannot remove a file no row names"),
        }
    }
    if !repaired.published.is_empty() || !repaired.removed.is_empty() {
        tracing::info!(
            published = repaired.published.len(),
            removed = repaired.removed.len(),
            first = ?sample(repaired.published.iter().chain(&repaired.removed)),
            "storage sweep repaired uploads"
        );
    }
    if !report.rows_without_files.is_empty() {
        tracing::warn!(
            count = report.rows_without_files.len(),
            first = ?sample(&report.rows_without_files),
            "rows name files that are not stored (`emsp storage check` lists them all)"
        );
    }
    Ok((report, repaired))
}
