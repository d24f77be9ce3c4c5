//! Moving local cursors and selections through remote text operations.

use super::client::Client;
use super::error::SyncError;
use crate::text::{Selection, TextError, TextOp};
use crate::{LoggedOp, Side};

/// The side a local cursor takes when a remote operation inserts exactly
/// at it: [`Side::Left`], so the cursor stays before the remote text and
/// the local user's next keystroke lands where the user expects.
pub const CURSOR_SIDE: Side = Side::Left;

impl Client<TextOp> {
    /// Applies a committed entry like
    /// [`receive_remote`](Client::receive_remote) and moves each of
    /// `selections` through the operation as applied locally. A cursor at
    /// the place of a remote insert stays before it ([`CURSOR_SIDE`]), and
    /// a range does not grow to take in text inserted at its ends.
    pub fn receive_remote_moving(
        &mut self,
        entry: LoggedOp<TextOp>,
        selections: &mut [Selection],
    ) -> Result<TextOp, SyncError<TextError>> {
        let applied = self.receive_remote(entry)?;
        for selection in selections.iter_mut() {
            *selection = applied.transform_selection(*selection, CURSOR_SIDE);
        }
        Ok(applied)
    }
}
