//! `echostream replay` on the recorded concurrent traces: the OT merge
//! reaches `endContent` in the file's order and in seeded causal orders.

use std::process::{Command, Output};

use serde_json::Value;

/// Each concurrent trace with its patch count and final length in code
/// points, as counted from the trace files.
const TRACES: [(&str, u64, u64); 2] = [
    ("friendsforever", 26_078, 21_362),
    ("clownschool", 23_182, 21_148),
];

fn echostream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echostream"))
        .args(args)
        .output()
        .expect("the echostream binary starts")
}

#[test]
fn replay_merges_concurrent_traces() {
    for (name, patches, length) in TRACES {
        let relative = format!("traces/concurrent/{name}.json.gz");
        let Some(path) = echostream_testdata::data_file(&relative) else {
            return;
        };
        let path = path.to_string_lossy().into_owned();
        for seed in [None, Some("7"), Some("2024")] {
            let mut args = vec!["replay", "--json", path.as_str()];
            if let Some(seed) = seed {
                args.extend(["--seed", seed]);
            }
            let output = echostream(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{name} seed {seed:?}: {stderr}");
            let outcome: Value = serde_json::from_slice(&output.stdout).unwrap();
            assert_eq!(outcome["kind"], "concurrent", "{name}");
            assert_eq!(outcome["patches"], patches, "{name}");
            assert_eq!(outcome["length"], length, "{name}");
            assert_eq!(outcome["matchesEndContent"], true, "{name} seed {seed:?}");
        }
    }
}

#[test]
fn replay_rejects_seed_for_sequential_trace() {
    let Some(path) =
        echostream_testdata::data_file("traces/sequential/friendsforever_flat.json.gz")
    else {
        return;
    };
    let output = echostream(&["replay", &path.to_string_lossy(), "--seed", "1"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--seed applies to concurrent traces"),
        "{stderr}"
    );
}
