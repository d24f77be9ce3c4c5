//! `echostream dump`: prints a stored document without a running server.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use echostream::board::BoardOp;
use echostream::text::TextOp;
use echostream::OpLog;
use echostream_server::document_id::DocumentId;
use echostream_server::document_op::DocumentOp;
use echostream_server::protocol::DocumentKind;
use echostream_server::store::{DocumentLog, FileStore, OpenMode, RedisStore, Store};

/// Arguments of `echostream dump`.
#[derive(Args)]
pub struct DumpArgs {
    /// The data folder of the server.
    #[arg(
        long = "data",
        env = "ECHOSTREAM_DATA_DIR",
        required_unless_present = "redis_url"
    )]
    data_dir: Option<PathBuf>,

    /// Read the document from this Redis server (`redis://HOST:PORT`)
    /// instead of a data folder.
    #[arg(long = "redis", env = "ECHOSTREAM_REDIS_URL", value_name = "URL")]
    redis_url: Option<String>,

    /// The document id.
    #[arg(long)]
    doc: DocumentId,

    /// Print the revision and the document type on stderr.
    #[arg(long)]
    verbose: bool,
}

/// Prints the document at its last stored revision: a text document as
/// its plain text, a board as its JSON form. Reads the log without changing it, so a torn last
/// record stays on disk for the server to drop.
pub fn run(args: DumpArgs) -> ExitCode {
    match dump(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", super::report::describe(&error));
            ExitCode::FAILURE
        }
    }
}

fn dump(args: &DumpArgs) -> anyhow::Result<()> {
    let (store, location) = match (&args.redis_url, &args.data_dir) {
        (Some(url), _) => {
            let redis = RedisStore::connect(url)?;
            let location = format!("Redis at {}", redis.address());
            (Store::Redis(redis), location)
        }
        (None, Some(data_dir)) => (
            Store::File(FileStore::new(data_dir, false)?),
            data_dir.display().to_string(),
        ),
        (None, None) => anyhow::bail!("missing --data or --redis"),
    };
    let kind = store
        .kind(&args.doc)?
        .with_context(|| format!("document {} not found in {location}", args.doc))?;
    let (revision, text) = match kind {
        DocumentKind::Text => render::<TextOp>(&store, &args.doc)?,
        DocumentKind::Board => render::<BoardOp>(&store, &args.doc)?,
    };
    if args.verbose {
        eprintln!("document {} ({kind}) at revision {revision}", args.doc);
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Replays the log from the latest readable snapshot. O(n) in the log
/// size.
fn render<Op: DocumentOp>(store: &Store, doc: &DocumentId) -> anyhow::Result<(u64, String)> {
    let (log, snapshot) = match store {
        Store::File(files) => {
            let log = files.open::<Op>(doc, OpenMode::Read)?;
            let start = log.replay_start(true)?;
            for (revision, error) in &start.skipped {
                eprintln!("warning: skipped the damaged snapshot at revision {revision}: {error}");
            }
            (DocumentLog::File(log), start.snapshot)
        }
        Store::Redis(redis) => {
            let log = redis.open::<Op>(doc, OpenMode::Read)?;
            let start = log.replay_start()?;
            if let Some(damaged) = &start.damaged {
                eprintln!(
                    "warning: skipped the damaged snapshot and replayed from revision 1: {}",
                    damaged.error
                );
            }
            (DocumentLog::Redis(Box::new(log)), start.snapshot)
        }
    };
    let (mut revision, mut document) = match snapshot {
        Some(snapshot) => (snapshot.revision, snapshot.document),
        None => (0, Op::Document::default()),
    };
    for entry in log.read_since(revision)? {
        entry
            .op
            .apply(&mut document)
            .with_context(|| format!("revision {} does not apply", entry.revision))?;
        revision = entry.revision;
    }
    Ok((revision, Op::render(&document)))
}
