//! The renderers: one module per output format, all reading the model in [`crate::model`].

pub mod html;
pub mod json;
pub mod markdown;
pub mod present;
pub mod sarif;
pub mod text;
