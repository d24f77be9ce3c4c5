//! The wire protocol between clients and the server: JSON text messages
//! over a WebSocket, described for client authors in `PROTOCOL.md`.
//!
//! Every message is an object with a `type` field. The first message of a
//! connection is a `hello` naming the protocol version; the server rejects
//! any version other than [`PROTOCOL_VERSION`].

use echostream::{LoggedOp, OpId, SiteId, VectorClock};
use serde::{Deserialize, Serialize};

use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;

/// The protocol version this server speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The kind of a document, which fixes the operation type used to edit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// Plain text, edited with text operations.
    Text,
    /// A whiteboard of shapes, edited with board operations.
    Board,
}

impl DocumentKind {
    /// Returns the name used on the wire and on disk.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Text => "text",
            DocumentKind::Board => "board",
        }
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first message of a connection: which document to join, as whom,
/// and from which revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Hello {
    /// The protocol version the client speaks.
    pub version: u32,
    /// The document to join.
    pub doc: DocumentId,
    /// The document's kind. Joining a document with the wrong kind fails.
    pub doc_type: DocumentKind,
    /// The client's site id, which every operation it submits carries.
    pub site: SiteId,
    /// The last revision the client has, or `None` for a snapshot.
    #[serde(default)]
    pub revision: Option<u64>,
}

/// An operation submitted by a client, made against revision `base`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(bound = "Op: DocumentOp")]
pub struct Submit<Op: DocumentOp> {
    /// The operation's id: the client's site and its sequence number.
    pub id: OpId,
    /// The revision the operation was made against.
    pub base: u64,
    /// The clock of what the client had seen.
    #[serde(default)]
    pub clock: VectorClock,
    /// The operation.
    pub op: Op,
}

/// A client's cursors and selections, against revision `revision`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(bound = "Op: DocumentOp")]
pub struct PresenceUpdate<Op: DocumentOp> {
    /// The revision the presence refers to.
    pub revision: u64,
    /// The presence, or `None` to clear it.
    pub presence: Option<Op::Presence>,
}

/// A message from a client, once the document kind is known.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientMessage<Op: DocumentOp> {
    /// A new `hello` on the same connection, sent after a `resync`.
    Hello(Hello),
    /// An operation.
    Submit(Submit<Op>),
    /// A presence update.
    Presence(PresenceUpdate<Op>),
}

/// The message types a client may send.
pub const CLIENT_MESSAGE_TYPES: [&str; 3] = ["hello", "submit", "presence"];

/// A document sent whole: the reply to a `hello` without a revision, or
/// with a revision older than the history the server keeps.
#[derive(Clone, Debug, Serialize)]
#[serde(bound = "Op: DocumentOp")]
pub struct SnapshotBody<'a, Op: DocumentOp> {
    /// The revision of the document.
    pub revision: u64,
    /// The document.
    pub document: &'a Op::Document,
}

/// Another client's presence, as sent to a joining client.
#[derive(Clone, Debug, Serialize)]
#[serde(bound = "Op: DocumentOp")]
pub struct PeerPresence<'a, Op: DocumentOp> {
    /// The site whose presence this is.
    pub site: SiteId,
    /// The presence, at the revision of the enclosing message.
    pub presence: &'a Op::Presence,
}

/// A message from the server.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[serde(bound = "Op: DocumentOp")]
pub enum ServerMessage<'a, Op: DocumentOp> {
    /// The reply to a `hello`: either a snapshot or the operations after
    /// the client's revision, then the other clients' presence.
    #[serde(rename_all = "camelCase")]
    Welcome {
        /// The protocol version of the server.
        version: u32,
        /// The document joined.
        doc: &'a DocumentId,
        /// The document's kind.
        doc_type: DocumentKind,
        /// The revision the client has after applying this message.
        revision: u64,
        /// The whole document, when the operations are not sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        snapshot: Option<SnapshotBody<'a, Op>>,
        /// The operations after the client's revision, in order.
        ops: &'a [LoggedOp<Op>],
        /// The last sequence number of the joining site committed at or
        /// below `revision`, 0 if none: a client that gets a snapshot
        /// learns from it which of its pending operations the snapshot
        /// already contains.
        last_seq: u64,
        /// The presence of the other clients, at `revision`.
        presence: Vec<PeerPresence<'a, Op>>,
    },
    /// The client's operation is stored and has revision `revision`.
    Ack {
        /// The operation's id.
        id: OpId,
        /// The revision it produced.
        revision: u64,
    },
    /// Another client's operation, stored with its revision.
    Op(&'a LoggedOp<Op>),
    /// Another client's presence, at `revision`; `None` when it left or
    /// cleared it.
    Presence {
        /// The site whose presence changed.
        site: SiteId,
        /// The revision the presence refers to.
        revision: u64,
        /// The presence.
        presence: Option<&'a Op::Presence>,
    },
    /// The client fell too far behind and messages to it were dropped: it
    /// sends `hello` again with its revision and its unacknowledged
    /// operations again.
    Resync {
        /// The head revision when the client was dropped.
        revision: u64,
    },
    /// A request failed. The document is unchanged.
    Error(ErrorBody),
}

/// The body of an `error` message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code that clients match on.
    pub code: ErrorCode,
    /// A description of the failure, naming the value and the limit.
    pub message: String,
    /// The id of the submitted operation that failed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<OpId>,
}

/// The codes of `error` messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message is not valid JSON.
    MalformedJson,
    /// The message's `type` is missing or not a known type.
    UnknownType,
    /// The message has the right type but a missing or invalid field.
    InvalidMessage,
    /// The `hello` names a protocol version the server does not speak.
    UnsupportedVersion,
    /// The document id is not valid.
    InvalidDocumentId,
    /// The document exists with another kind.
    WrongDocumentType,
    /// A message other than `hello` arrived before joining.
    NotJoined,
    /// A `hello` arrived on a connection that has joined.
    AlreadyJoined,
    /// A revision is above the document's head.
    RevisionAhead,
    /// A base revision is older than the history the server keeps.
    HistoryCompacted,
    /// The operation does not fit the document.
    InvalidOperation,
    /// The operation's sequence number skips one of its site.
    SequenceGap,
    /// The message is larger than the size limit.
    TooLarge,
    /// The client sends faster than the rate limit.
    RateLimited,
    /// The document could not be loaded or stored.
    DocumentUnavailable,
    /// The server is shutting down or has too many requests queued.
    Unavailable,
}

impl ErrorCode {
    /// Returns the code as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::InvalidMessage => "invalid_message",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::InvalidDocumentId => "invalid_document_id",
            ErrorCode::WrongDocumentType => "wrong_document_type",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::AlreadyJoined => "already_joined",
            ErrorCode::RevisionAhead => "revision_ahead",
            ErrorCode::HistoryCompacted => "history_compacted",
            ErrorCode::InvalidOperation => "invalid_operation",
            ErrorCode::SequenceGap => "sequence_gap",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::DocumentUnavailable => "document_unavailable",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// WebSocket close codes the server sends.
pub mod close_code {
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The client broke the rate limit repeatedly.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A message exceeded the hard size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The server failed to store the document.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// No valid `hello` arrived, or it named an unsupported version.
    pub const PROTOCOL: u16 = 4000;
}

impl<Op: DocumentOp> ServerMessage<'_, Op> {
    /// Serializes the message to JSON text.
    ///
    /// # Panics
    ///
    /// Panics if an operation or document fails to serialize, which the
    /// engine's types never do.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("server messages always serialize")
    }
}

impl ErrorBody {
    /// Returns an error body without an operation id.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            id: None,
        }
    }

    /// Serializes the error as a complete `error` message.
    pub fn to_text(&self) -> String {
        #[derive(Serialize)]
        struct Tagged<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            #[serde(flatten)]
            body: &'a ErrorBody,
        }
        let tagged = Tagged {
            kind: "error",
            body: self,
        };
        serde_json::to_string(&tagged).expect("error messages always serialize")
    }
}

/// Parses a JSON object and returns it with its `type`.
fn parse_object(text: &str) -> Result<(serde_json::Value, String), ErrorBody> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ErrorBody::new(ErrorCode::MalformedJson, format!("invalid JSON: {e}")))?;
    let kind = match value.get("type") {
        Some(serde_json::Value::String(kind)) => kind.clone(),
        Some(other) => {
            let message = format!("message type must be a string, got {other}");
            return Err(ErrorBody::new(ErrorCode::UnknownType, message));
        }
        None if value.is_object() => {
            let message = "message has no \"type\" field";
            return Err(ErrorBody::new(ErrorCode::UnknownType, message));
        }
        None => {
            let message = "message must be a JSON object";
            return Err(ErrorBody::new(ErrorCode::InvalidMessage, message));
        }
    };
    Ok((value, kind))
}

/// Removes the `type` field and deserializes the rest as `T`.
fn parse_body<T: serde::de::DeserializeOwned>(
    mut value: serde_json::Value,
    kind: &str,
) -> Result<T, ErrorBody> {
    if let Some(object) = value.as_object_mut() {
        object.remove("type");
    }
    serde_json::from_value(value).map_err(|e| {
        ErrorBody::new(
            ErrorCode::InvalidMessage,
            format!("invalid {kind} message: {e}"),
        )
    })
}

/// Parses a `hello`, checking the version before any other field so that
/// a client of another version gets `unsupported_version`.
pub fn parse_hello(text: &str) -> Result<Hello, ErrorBody> {
    let (value, kind) = parse_object(text)?;
    if kind != "hello" {
        let message = format!("expected a hello message first, got {:?}", shorten(&kind));
        let code = if CLIENT_MESSAGE_TYPES.contains(&kind.as_str()) {
            ErrorCode::NotJoined
        } else {
            ErrorCode::UnknownType
        };
        return Err(ErrorBody::new(code, message));
    }
    hello_from_value(value)
}

fn hello_from_value(value: serde_json::Value) -> Result<Hello, ErrorBody> {
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(PROTOCOL_VERSION)) {
        let got = value
            .get("version")
            .map_or("none".to_owned(), |v| shorten(&v.to_string()).to_owned());
        let message = format!(
            "unsupported protocol version {got}: this server speaks version {PROTOCOL_VERSION}"
        );
        return Err(ErrorBody::new(ErrorCode::UnsupportedVersion, message));
    }
    if let Some(doc) = value.get("doc") {
        let id = doc.as_str().ok_or_else(|| {
            ErrorBody::new(ErrorCode::InvalidDocumentId, "document id must be a string")
        })?;
        DocumentId::new(id)
            .map_err(|e| ErrorBody::new(ErrorCode::InvalidDocumentId, e.to_string()))?;
    }
    parse_body(value, "hello")
}

/// Parses a message from a client that has sent its first `hello`.
pub fn parse_client_message<Op: DocumentOp>(text: &str) -> Result<ClientMessage<Op>, ErrorBody> {
    let (value, kind) = parse_object(text)?;
    match kind.as_str() {
        "hello" => hello_from_value(value).map(ClientMessage::Hello),
        "submit" => parse_body(value, "submit").map(ClientMessage::Submit),
        "presence" => parse_body(value, "presence").map(ClientMessage::Presence),
        _ => {
            let message = format!(
                "unknown message type {:?}: expected one of {}",
                shorten(&kind),
                CLIENT_MESSAGE_TYPES.join(", ")
            );
            Err(ErrorBody::new(ErrorCode::UnknownType, message))
        }
    }
}

/// Returns at most the first 64 bytes of `text`, cut at a character
/// boundary, so that an error message never echoes a large input.
pub fn shorten(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
