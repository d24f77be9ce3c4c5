//! The map from document id to the task that serves it.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::task::DocumentTask;
use super::{Command, Join, JoinReply};
use crate::config::Limits;
use crate::document_id::DocumentId;
use crate::document_op::DocumentOp;
use crate::metrics::Metrics;
use crate::protocol::{DocumentKind, ErrorBody, ErrorCode};
use crate::store::{RedisStore, SiteFence, Store};

/// The capacity of a document task's command queue. A connection whose
/// command does not fit waits, which slows only that connection.
const COMMAND_QUEUE: usize = 4096;

struct Entry {
    kind: DocumentKind,
    /// Tells this task apart from a later one for the same document.
    generation: u64,
    /// The `mpsc::Sender<Command<Op>>` of the task, for the `Op` of `kind`.
    commands: Box<dyn Any + Send + Sync>,
}

/// The open documents of one server, and what their tasks share.
pub struct Registry {
    pub(crate) store: Store,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tracker: TaskTracker,
    /// The runtime that runs the document tasks.
    documents: tokio::runtime::Handle,
    docs: Mutex<HashMap<DocumentId, Entry>>,
    generations: AtomicU64,
}

impl Registry {
    /// Returns a registry with no open document, whose document tasks run
    /// on `documents`.
    pub fn new(
        store: Store,
        limits: Limits,
        metrics: Metrics,
        shutdown: CancellationToken,
        tracker: TaskTracker,
        documents: tokio::runtime::Handle,
    ) -> Arc<Self> {
        Arc::new(Registry {
            store,
            limits,
            metrics,
            shutdown,
            tracker,
            documents,
            docs: Mutex::new(HashMap::new()),
            generations: AtomicU64::new(0),
        })
    }

    /// Returns the number of open documents.
    pub fn open_documents(&self) -> usize {
        self.docs.lock().expect("registry lock").len()
    }

    /// Joins a document, loading it when it is not open, and returns the
    /// command queue of its task. The welcome is in `join.outbox` when this
    /// returns `Ok`.
    pub(crate) async fn join<Op: DocumentOp>(
        self: &Arc<Self>,
        doc: &DocumentId,
        mut join: Join,
    ) -> Result<mpsc::Sender<Command<Op>>, ErrorBody> {
        if self.shutdown.is_cancelled() {
            return Err(ErrorBody::new(
                ErrorCode::Unavailable,
                "the server is shutting down",
            ));
        }
        self.check_kind(doc, Op::KIND).await?;
        if let Store::Redis(redis) = &self.store {
            join.fence = Some(self.fence(redis, doc, &join).await?);
        }

        let (reply_tx, reply_rx) = oneshot::channel();
        let commands = self.send_join::<Op>(doc, join, reply_tx)?;
        match reply_rx.await {
            Ok(Ok(())) => Ok(commands),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(ErrorBody::new(
                ErrorCode::DocumentUnavailable,
                format!("document {doc} closed while joining; try again"),
            )),
        }
    }

    /// Takes a fencing token for the joining connection, which fences off
    /// the older connections of its site on every node. One Redis round
    /// trip on the shared connection.
    async fn fence(
        &self,
        redis: &RedisStore,
        doc: &DocumentId,
        join: &Join,
    ) -> Result<SiteFence, ErrorBody> {
        let redis = redis.clone();
        let (id, site) = (doc.clone(), join.site);
        let fence = tokio::task::spawn_blocking(move || redis.fence(&id, site))
            .await
            .expect("taking a fencing token does not panic");
        match fence {
            Ok(fence) => Ok(fence),
            Err(error) => {
                tracing::error!(doc = %doc, client = %join.site, conn = join.conn, %error, "taking a fencing token failed");
                Err(ErrorBody::new(
                    ErrorCode::DocumentUnavailable,
                    format!("taking a fencing token for document {doc} failed. Try again"),
                ))
            }
        }
    }

    /// Fails with `wrong_document_type` when the stored document has
    /// another kind.
    pub(crate) async fn check_kind(
        &self,
        doc: &DocumentId,
        requested: DocumentKind,
    ) -> Result<(), ErrorBody> {
        let store = self.store.clone();
        let id = doc.clone();
        let stored = tokio::task::spawn_blocking(move || store.kind(&id))
            .await
            .expect("reading a document kind does not panic");
        match stored {
            Ok(Some(kind)) if kind != requested => Err(wrong_kind(doc, kind, requested)),
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::error!(doc = %doc, %error, "reading the document kind failed");
                Err(ErrorBody::new(
                    ErrorCode::DocumentUnavailable,
                    format!("document {doc} cannot be read"),
                ))
            }
        }
    }

    /// Sends the join to the document's task, starting the task when the
    /// document is not open. Joins are sent under the lock, so a task that
    /// unloads itself under the same lock never misses one.
    fn send_join<Op: DocumentOp>(
        self: &Arc<Self>,
        doc: &DocumentId,
        join: Join,
        reply: JoinReply,
    ) -> Result<mpsc::Sender<Command<Op>>, ErrorBody> {
        let mut docs = self.docs.lock().expect("registry lock");
        if let Some(entry) = docs.get(doc) {
            if entry.kind != Op::KIND {
                return Err(wrong_kind(doc, entry.kind, Op::KIND));
            }
        } else {
            let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
            let generation = self.generations.fetch_add(1, Ordering::Relaxed);
            let task = DocumentTask::<Op>::new(doc.clone(), generation, Arc::clone(self));
            self.tracker.spawn_on(task.run(rx), &self.documents);
            let entry = Entry {
                kind: Op::KIND,
                generation,
                commands: Box::new(tx),
            };
            docs.insert(doc.clone(), entry);
        }

        let entry = &docs[doc];
        let commands = entry
            .commands
            .downcast_ref::<mpsc::Sender<Command<Op>>>()
            .expect("the entry's kind fixes its command type")
            .clone();
        match commands.try_send(Command::Join(join, reply)) {
            Ok(()) => Ok(commands),
            Err(TrySendError::Full(_)) => Err(ErrorBody::new(
                ErrorCode::Unavailable,
                format!("document {doc} has {COMMAND_QUEUE} requests queued; try again later"),
            )),
            Err(TrySendError::Closed(_)) => Err(ErrorBody::new(
                ErrorCode::DocumentUnavailable,
                format!("document {doc} is closing; try again"),
            )),
        }
    }

    /// Removes the document unless a command is waiting, which is returned
    /// instead. Called by an idle task before it stops.
    pub(crate) fn remove_if_idle<Op: DocumentOp>(
        &self,
        doc: &DocumentId,
        generation: u64,
        commands: &mut mpsc::Receiver<Command<Op>>,
    ) -> Option<Command<Op>> {
        let mut docs = self.docs.lock().expect("registry lock");
        match commands.try_recv() {
            Ok(command) => Some(command),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                if docs.get(doc).is_some_and(|e| e.generation == generation) {
                    docs.remove(doc);
                }
                None
            }
        }
    }

    /// Removes the document whatever is queued, when its task fails.
    pub(crate) fn remove(&self, doc: &DocumentId, generation: u64) {
        let mut docs = self.docs.lock().expect("registry lock");
        if docs.get(doc).is_some_and(|e| e.generation == generation) {
            docs.remove(doc);
        }
    }
}

fn wrong_kind(doc: &DocumentId, stored: DocumentKind, requested: DocumentKind) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::WrongDocumentType,
        format!("document {doc} is a {stored} document, not {requested}"),
    )
}
