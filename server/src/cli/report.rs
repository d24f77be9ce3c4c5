//! Error messages of the subcommands.

/// Returns the message of `error` and of each of its causes, joined by
/// ": ". A cause is left out when the message before it already ends with
/// it, because the engine's errors repeat their source in their own
/// message.
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if message.is_empty() || text.ends_with(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::describe;
    use anyhow::Context;
    use echostream::text::TextError;
    use echostream::trace::TraceError;

    #[test]
    fn describe_drops_repeated_source() {
        let patch = TraceError::Patch {
            transaction: 1,
            patch: 0,
            source: TextError::BaseLength {
                expected: 6,
                actual: 2,
            },
        };
        let error = Err::<(), _>(patch)
            .context("failed to replay t.json")
            .unwrap_err();
        assert_eq!(
            describe(&error),
            "failed to replay t.json: patch 0 of transaction 1 does not \
             apply: operation spans 6 code points but the document has 2"
        );
    }

    #[test]
    fn describe_keeps_distinct_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let error = Err::<(), _>(io)
            .context("failed to read a.json")
            .unwrap_err();
        assert_eq!(describe(&error), "failed to read a.json: no such file");
    }
}
