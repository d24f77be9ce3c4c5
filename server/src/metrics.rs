//! The server's Prometheus metrics, served at `/metrics`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// The metrics of one server.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections.
    pub connections: IntGauge,
    /// Documents loaded in memory.
    pub documents: IntGauge,
    /// Operations committed and stored.
    pub operations_accepted: IntCounter,
    /// Appends to Redis that lost the race to another node and were
    /// transformed again.
    pub append_conflicts: IntCounter,
    /// Operations rejected, by error code.
    pub operations_rejected: IntCounterVec,
    /// Operations of connections that newer connections of their sites
    /// replaced, dropped because Redis rejected them.
    pub operations_fenced: IntCounter,
    /// Client messages rejected before reaching a document, by error code.
    pub messages_rejected: IntCounterVec,
    /// Client messages that arrived over the rate limit and waited.
    pub messages_delayed: IntCounter,
    /// Clients sent a `resync` message because their queue was full.
    pub clients_lagged: IntCounter,
    /// Seconds from receiving a submission to handing the stored operation
    /// to the other clients' queues.
    pub submit_to_broadcast: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Creates and registers the metrics.
    ///
    /// # Panics
    ///
    /// Panics if two metrics share a name, which is a bug here.
    pub fn new() -> Self {
        let registry = Registry::new();
        let connections = IntGauge::new("echostream_connections", "Open WebSocket connections.")
            .expect("valid metric");
        let documents = IntGauge::new("echostream_documents", "Documents loaded in memory.")
            .expect("valid metric");
        let operations_accepted = IntCounter::new(
            "echostream_operations_accepted_total",
            "Operations committed and stored.",
        )
        .expect("valid metric");
        let append_conflicts = IntCounter::new(
            "echostream_append_conflicts_total",
            "Appends to Redis that lost the race to another node and were transformed again.",
        )
        .expect("valid metric");
        let operations_rejected = IntCounterVec::new(
            Opts::new(
                "echostream_operations_rejected_total",
                "Operations rejected, by error code.",
            ),
            &["code"],
        )
        .expect("valid metric");
        let operations_fenced = IntCounter::new(
            "echostream_operations_fenced_total",
            "Operations of replaced connections that Redis rejected and that were dropped.",
        )
        .expect("valid metric");
        let messages_rejected = IntCounterVec::new(
            Opts::new(
                "echostream_messages_rejected_total",
                "Client messages rejected before reaching a document, by error code.",
            ),
            &["code"],
        )
        .expect("valid metric");
        let messages_delayed = IntCounter::new(
            "echostream_messages_delayed_total",
            "Client messages that arrived over the rate limit and waited.",
        )
        .expect("valid metric");
        let clients_lagged = IntCounter::new(
            "echostream_clients_lagged_total",
            "Clients sent a resync message because their queue was full.",
        )
        .expect("valid metric");
        let buckets = vec![
            0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
        ];
        let submit_to_broadcast = Histogram::with_opts(
            HistogramOpts::new(
                "echostream_submit_to_broadcast_seconds",
                "Seconds from receiving a submission to queueing it for the other clients.",
            )
            .buckets(buckets),
        )
        .expect("valid metric");

        for collector in [
            Box::new(connections.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(documents.clone()),
            Box::new(operations_accepted.clone()),
            Box::new(append_conflicts.clone()),
            Box::new(operations_rejected.clone()),
            Box::new(operations_fenced.clone()),
            Box::new(messages_rejected.clone()),
            Box::new(messages_delayed.clone()),
            Box::new(clients_lagged.clone()),
            Box::new(submit_to_broadcast.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }

        Metrics {
            registry,
            connections,
            documents,
            operations_accepted,
            append_conflicts,
            operations_rejected,
            operations_fenced,
            messages_rejected,
            messages_delayed,
            clients_lagged,
            submit_to_broadcast,
        }
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("writing to a Vec never fails");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}
