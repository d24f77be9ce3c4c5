//! Import of Excalidraw scenes and libraries into boards, and export of
//! boards as Excalidraw scenes.
//!
//! The conversion is pure: it reads and returns JSON values, and the
//! caller reads and writes the files.
//!
//! # Mapping
//!
//! Each element becomes one shape. Element types map to kinds one to one
//! (`freedraw` is [`ShapeKind::FreeDrawing`], `magicframe` becomes a
//! frame). The element's fields become properties of the same name. These
//! are numbers (`x`, `y`, `width`, `height`, `angle`, `strokeWidth`,
//! `roughness`, `opacity`, `seed`, `fontSize`, `fontFamily`,
//! `lineHeight`, `baseline`), colors (`strokeColor`, `backgroundColor`),
//! strings (`fillStyle`, `strokeStyle`, `textAlign`, `verticalAlign`,
//! `startArrowhead`, `endArrowhead`, `name`, `fileId`, `status`), booleans
//! (`locked`, `autoResize`, `elbowed`, `polygon`, `simulatePressure`),
//! `points` and `link`. `roundness` becomes the numbers `roundness` (its
//! type) and `roundnessValue`; files older than `roundness` carry
//! `strokeSharpness`, which maps as Excalidraw's own loader maps it.
//! References become shape references: `frameId` the `frame` property,
//! `containerId` the `container` property, `startBinding` and `endBinding`
//! bindings. The element id is kept in the `excalidrawId` property, and
//! export writes it back as the id. A text element's `originalText` is
//! the shape's text; a `text` that differs from it (wrapped to fit a
//! container) is kept in `wrappedText`.
//!
//! The z-order follows the `index` field (a fractional index) when every
//! element has one, and the array order otherwise, as in files older than
//! the field. Deleted elements are skipped.
//!
//! # What is not kept, and why
//!
//! - `version`, `versionNonce` and `updated`: Excalidraw's own
//!   reconciliation data, which the operation log replaces. Export writes
//!   version 1.
//! - `index`: the board keeps its own z-order. Export writes new
//!   fractional indices in the same order.
//! - `boundElements` (and the older `boundElementIds`): they repeat the
//!   bindings and containers seen from the other side, so export rebuilds
//!   them from the references.
//! - Group ids: groups get new random ids. Which elements share a group,
//!   and the nesting order, are kept.
//! - References to elements that are not in the file, or are deleted: a
//!   board reference always names a live shape. [`Import`] lists them.
//! - `lastCommittedPoint`, `customData`, the pressures of free drawings,
//!   and the `scale` and `crop` of images: the board has no property type
//!   for them. Export writes `simulatePressure: true` for free drawings
//!   without it, and a scale of 1.
//! - The scene's `appState` and `files` (the image data): a board holds
//!   shapes only, and images by `fileId` reference.
//! - Element types without a board kind (`embeddable`, `iframe`,
//!   `selection`): skipped and listed in [`Import::skipped`].
//! - Library item boundaries and names: a library imports as one board,
//!   its items' elements one after the other.
//!
//! Sticky notes have no Excalidraw type: export writes a rectangle and a
//! text element bound to it, so they import back as those two shapes.
//!
//! [`ShapeKind::FreeDrawing`]: super::ShapeKind::FreeDrawing

mod export;
mod import;

pub use export::{export_scene, fractional_index};
pub use import::{import, import_value, DroppedReference, Import, Skipped};

use thiserror::Error;

/// The reason an Excalidraw file could not be imported.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ExcalidrawError {
    /// The text is not JSON.
    #[error("invalid Excalidraw JSON: {0}")]
    Json(String),

    /// The JSON is not a scene or a library.
    #[error(
        "not an Excalidraw scene or library: \"type\" is {found}, expected \
         \"excalidraw\" or \"excalidrawlib\""
    )]
    NotExcalidraw {
        /// The `type` field found, in JSON.
        found: String,
    },

    /// An element lacks a required field or has one of the wrong type.
    #[error("element {element} has an invalid field {field} = {value}: expected {expected}")]
    InvalidField {
        /// The element's id, or its position in the file when the id
        /// itself is invalid.
        element: String,
        /// The field name.
        field: String,
        /// The value found, in JSON.
        value: String,
        /// The type or form the field must have.
        expected: String,
    },

    /// Two elements share one id.
    #[error("element id {0:?} appears twice")]
    DuplicateId(String),

    /// An element's values do not fit a board, such as a coordinate past
    /// the board's range.
    #[error("element {element} does not fit a board: {source}")]
    Board {
        /// The element's id.
        element: String,
        /// The board's error.
        source: super::BoardError,
    },
}
