//! Every replay that the text benchmarks time must produce the trace's
//! `endContent`, or the figures would compare different work.

use echostream_benches::text_replay::{
    replay_crop, replay_echostream, replay_jumprope, replay_operational_transform, replay_ropey,
    replay_string, PreparedTrace,
};

/// The smallest trace with non-ASCII text, so that the byte-offset
/// conversion is exercised too.
const TRACE: &str = "json-crdt-patch";

#[test]
fn every_replay_reaches_end_content() {
    let Some(trace) = PreparedTrace::load(TRACE) else {
        return;
    };
    let expected = &trace.end_content;
    assert_eq!(trace.patches.len(), 18_723);

    let echostream = replay_echostream(&trace).to_string();
    assert!(echostream == *expected, "echostream");
    let ropey = replay_ropey(&trace).to_string();
    assert!(ropey == *expected, "ropey");
    let jumprope = replay_jumprope(&trace).to_string();
    assert!(jumprope == *expected, "jumprope");
    let byte_patches = trace.byte_patches();
    let crop = replay_crop(&trace.start_content, &byte_patches).to_string();
    assert!(crop == *expected, "crop");
    assert!(replay_string(&trace) == *expected, "String");
    assert!(
        replay_operational_transform(&trace) == *expected,
        "operational-transform"
    );
}

#[test]
fn byte_patches_differ_on_non_ascii() {
    let Some(trace) = PreparedTrace::load(TRACE) else {
        return;
    };
    let byte_patches = trace.byte_patches();
    assert_eq!(byte_patches.len(), trace.patches.len());
    let shifted = trace
        .patches
        .iter()
        .zip(&byte_patches)
        .filter(|(patch, bytes)| bytes.start != patch.pos)
        .count();
    assert!(
        shifted > 0,
        "json-crdt-patch has non-ASCII text before some patches"
    );
}
