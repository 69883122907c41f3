//! Uploaded images: recognised by their bytes (never by the declared type), bounded in size and
//! pixel count, decoded and re-encoded (dropping EXIF and any smuggled payload), thumbnailed.
use crate::error::ServiceError;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_PIXELS: u64 = 40_000_000;
pub const THUMBNAIL_EDGE: u32 = 320;
/// Decoding memory ceiling: 40 MP at 4 bytes per pixel, plus slack.
const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4 + 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    /// Recognises PNG, JPEG and WebP by their magic bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            ImageKind::Png => ImageFormat::Png,
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Webp => ImageFormat::WebP,
        }
    }
}

/// Why an uploaded image was refused or could not be stored. `field` names the form field.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{field}: each image may be at most 5 MiB")]
    TooLarge { field: String },
    #[error("{field}: only PNG, JPEG and WebP images are accepted")]
    Unsupported { field: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("re-encoding failed")]
    Encode(#[source] image::ImageError),
    #[error("cannot store upload")]
    Io(#[from] std::io::Error),
}

impl From<UploadError> for ServiceError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::TooLarge { .. } => ServiceError::TooLarge(e.to_string()),
            UploadError::Unsupported { .. } => ServiceError::UnsupportedMedia(e.to_string()),
            UploadError::Invalid { field, message } => ServiceError::invalid(&field, message),
            UploadError::Encode(_) | UploadError::Io(_) => ServiceError::internal(e),
        }
    }
}

/// A checked image, re-encoded, with its thumbnail.
pub struct ProcessedImage {
    pub kind: ImageKind,
    /// The pixel size of `full` (re-encoding keeps the size).
    pub width: u32,
    pub height: u32,
    pub full: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// Checks and re-encodes one uploaded file (CPU-bound: call it off the async runtime).
/// `field` names the form field in errors.
pub fn process(field: &str, bytes: &[u8]) -> Result<ProcessedImage, UploadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(UploadError::TooLarge { field: field.to_owned() });
    }
    let kind = ImageKind::sniff(bytes).ok_or_else(|| UploadError::Unsupported { field: field.to_owned() })?;
    let invalid = |message: String| UploadError::Invalid { field: field.to_owned(), message };
    let unreadable = || invalid("the image is damaged or cannot be read".into());
    // The header alone gives the dimensions: a bomb is refused before any pixel is decoded.
    let (width, height) =
        ImageReader::with_format(Cursor::new(bytes), kind.format()).into_dimensions().map_err(|_| unreadable())?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 || pixels > MAX_PIXELS {
        return Err(invalid(format!("the image is {width}×{height} pixels; at most 40 megapixels are accepted")));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| unreadable())?;
    let full = encode(&image, kind)?;
    let thumbnail = encode(&image.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE), kind)?;
    Ok(ProcessedImage { kind, width, height, full, thumbnail })
}

fn encode(image: &DynamicImage, kind: ImageKind) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    let result = match kind {
        ImageKind::Png => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
        // A copy in the encoder's pixel format only when the decoded one differs (it doubles memory).
        ImageKind::Jpeg => match image {
            DynamicImage::ImageRgb8(_) => image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85)),
            other => {
                DynamicImage::ImageRgb8(other.to_rgb8()).write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
            }
        },
        ImageKind::Webp => match image {
            DynamicImage::ImageRgba8(_) => image.write_with_encoder(WebPEncoder::new_lossless(&mut out)),
            other => DynamicImage::ImageRgba8(other.to_rgba8()).write_with_encoder(WebPEncoder::new_lossless(&mut out)),
        },
    };
    result.map_err(UploadError::Encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).expect("png");
        out
    }

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(ImageKind::sniff(&png(2, 2)), Some(ImageKind::Png));
        assert_eq!(ImageKind::sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), None);
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageKind::Webp));
    }

    #[test]
    fn processing_re_encodes_and_thumbnails() {
        let out = process("cpo_logo", &png(800, 400)).expect("processed");
        assert_eq!(out.kind, ImageKind::Png);
        let thumb = image::load_from_memory(&out.thumbnail).expect("thumbnail decodes");
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn oversized_and_fake_images_are_refused() {
        // A valid PNG header claiming 100 000 × 100 000 pixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(process("f", &bomb), Err(UploadError::Invalid { .. })));
        assert!(matches!(process("f", b"just text"), Err(UploadError::Unsupported { .. })));
        assert!(matches!(process("f", &vec![0u8; MAX_FILE_BYTES + 1]), Err(UploadError::TooLarge { .. })));
    }
}
