//! Capture bytes through `object_store`: files under the data directory by default,
//! any S3-compatible store with `STORAGE_URL=s3://bucket/prefix` (credentials and
//! endpoint from the usual `AWS_*` variables).
//!
//! Writes are create-only under content-addressed keys (the SHA-256 of the stored
//! bytes): a retry, or a second writer, can never replace what a key names.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl Blobs {
    pub fn open(storage_url: Option<&str>, data_dir: &Path) -> Result<Blobs> {
        match storage_url {
            None => {
                let dir = data_dir.join("captures");
                std::fs::create_dir_all(&dir)?;
                let store = LocalFileSystem::new_with_prefix(&dir)?;
                Ok(Blobs {
                    inner: Arc::new(store),
                    description: format!("files under {}", dir.display()),
                })
            }
            Some(url) if url.starts_with("s3://") => Self::open_s3(url),
            Some(url) if url.starts_with("file://") => {
                let parsed = url::Url::parse(url)
                    .map_err(|e| Error::InvalidConfig(format!("STORAGE_URL: {e}")))?;
                let dir = parsed.to_file_path().map_err(|()| {
                    Error::InvalidConfig("STORAGE_URL: not a local path".to_owned())
                })?;
                std::fs::create_dir_all(&dir)?;
                Ok(Blobs {
                    inner: Arc::new(LocalFileSystem::new_with_prefix(&dir)?),
                    description: format!("files under {}", dir.display()),
                })
            }
            Some(other) => Err(Error::InvalidConfig(format!(
                "STORAGE_URL must be s3://bucket/prefix or file:///dir, not {:?}",
                other.split(':').next().unwrap_or_default()
            ))),
        }
    }

    #[cfg(feature = "s3")]
    fn open_s3(url: &str) -> Result<Blobs> {
        use object_store::aws::AmazonS3Builder;
        use object_store::prefix::PrefixStore;

        let parsed =
            url::Url::parse(url).map_err(|e| Error::InvalidConfig(format!("STORAGE_URL: {e}")))?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        let s3 = AmazonS3Builder::from_env().with_url(url).build()?;
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Blobs {
            inner,
            description: format!("S3 {url}"),
        })
    }

    #[cfg(not(feature = "s3"))]
    fn open_s3(_url: &str) -> Result<Blobs> {
        Err(Error::InvalidConfig(
            "this build has no S3 support (cargo feature `s3`)".to_owned(),
        ))
    }

    /// Stores `bytes` at `key` unless something is there already. Keys are
    /// content-addressed, so an existing object holds these very bytes (a retry after a
    /// crash between this write and the database commit lands here).
    pub async fn put_create(&self, key: &str, bytes: Bytes) -> Result<()> {
        let path = ObjectPath::from(key);
        let opts = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .inner
            .put_opts(&path, PutPayload::from_bytes(bytes.clone()), opts)
            .await
        {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            // A store without conditional writes: look first. A race between two
            // writers of one content-addressed key writes the same bytes twice.
            Err(object_store::Error::NotImplemented { .. }) => match self.inner.head(&path).await {
                Ok(_) => Ok(()),
                Err(object_store::Error::NotFound { .. }) => {
                    self.inner.put(&path, PutPayload::from_bytes(bytes)).await?;
                    Ok(())
                }
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self.inner.head(&ObjectPath::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
