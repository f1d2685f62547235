//! The book's local images, each once: the PDF numbers its image objects by this list and the
//! EPUB names its image files from it, so both agree on what the book holds.

use super::{Article, ImageFormat, ImageSource};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A local image: its manuscript path, its bytes and their format.
#[derive(Debug, Clone)]
pub struct LocalImage {
    pub path: PathBuf,
    pub data: Arc<Vec<u8>>,
    pub format: ImageFormat,
}

#[derive(Debug, Clone, Default)]
pub struct ImageCatalogue {
    /// Sorted by path, each path once: an image's index is its place here.
    pub images: Vec<LocalImage>,
    /// Indices into `images` in the order the book first shows them.
    pub book_order: Vec<usize>,
}

impl ImageCatalogue {
    /// The images of `articles` (their text and notes), and `extra` (a site's logo: printed
    /// by the PDF editions, not part of the book's own sequence of images).
    pub fn of(articles: &[Article], extra: Option<&ImageSource>) -> ImageCatalogue {
        let mut seen: Vec<LocalImage> = Vec::new();
        let mut paths = std::collections::HashSet::new();
        for a in articles {
            for img in a.images() {
                if let ImageSource::Local {
                    path, data, format, ..
                } = &img.src
                {
                    if paths.insert(path.clone()) {
                        seen.push(LocalImage {
                            path: path.clone(),
                            data: data.clone(),
                            format: *format,
                        });
                    }
                }
            }
        }
        let mut images = seen.clone();
        if let Some(ImageSource::Local {
            path, data, format, ..
        }) = extra
        {
            if !paths.contains(path) {
                images.push(LocalImage {
                    path: path.clone(),
                    data: data.clone(),
                    format: *format,
                });
            }
        }
        images.sort_by(|a, b| a.path.cmp(&b.path));
        let mut catalogue = ImageCatalogue {
            images,
            book_order: Vec::new(),
        };
        catalogue.book_order = seen
            .iter()
            .filter_map(|s| catalogue.index_of(&s.path))
            .collect();
        catalogue
    }

    /// The index of the image at `path`.
    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.images
            .binary_search_by(|i| i.path.as_path().cmp(path))
            .ok()
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }
}

/// A cell computed once; a copy of the model starts empty, so it never carries the value of a
/// model it was copied from and then changed.
#[derive(Debug, Default)]
pub(super) struct Lazy(OnceLock<ImageCatalogue>);

impl Lazy {
    pub fn get_or_init(&self, f: impl FnOnce() -> ImageCatalogue) -> &ImageCatalogue {
        self.0.get_or_init(f)
    }
}

impl Clone for Lazy {
    fn clone(&self) -> Lazy {
        Lazy::default()
    }
}
