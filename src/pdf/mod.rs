//! The PDF writer (in progress).
use crate::fonts::FontSet;
use crate::model::Book;

pub struct Output {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

pub fn write(_book: &Book, _fonts: &FontSet) -> Result<Output, String> {
    Err("PDF writer not written yet".into())
}
