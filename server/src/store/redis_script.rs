//! The Lua scripts that make the Redis store's writes atomic. Redis runs a
//! script without interleaving other commands, so each check and the write
//! that depends on it happen as one step.
//!
//! Revisions travel as decimal strings and Lua 5.1 (the version Redis
//! embeds) reads them as doubles, so they are exact up to 2^53.

use std::sync::LazyLock;

use redis::Script;

/// Appends entries for the revisions after `ARGV[1]`, but only if the
/// stream's last entry id is still `ARGV[1]-0`.
///
/// `KEYS[1]` is the stream, `ARGV[2..]` are the entries, oldest first.
/// Returns `{1, new head}` on success and `{0, actual head}` when another
/// writer appended first. The last id is read with `XINFO STREAM`, whose
/// `last-generated-id` survives `XTRIM`, so a stream trimmed down to
/// nothing still reports its head.
pub(super) static APPEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local head = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      head = tonumber(string.match(info[i + 1], '^(%d+)-'))
      break
    end
  end
end
local expected = tonumber(ARGV[1])
if head ~= expected then
  return {0, head}
end
for i = 2, #ARGV do
  local id = string.format('%d-0', expected + i - 1)
  redis.call('XADD', KEYS[1], id, 'op', ARGV[i])
end
return {1, expected + #ARGV - 1}
"#,
    )
});

/// Stores a snapshot unless the stored one is at the same or a later
/// revision, so that a node that lags behind never replaces a newer
/// snapshot (the log before the newer one may be trimmed already).
///
/// `KEYS[1]` is the snapshot hash, `ARGV[1]` the revision and `ARGV[2]`
/// the encoded snapshot. Returns `{1, previous revision}` when stored and
/// `{0, stored revision}` when not; the revision is -1 when there was no
/// snapshot.
pub(super) static SAVE_SNAPSHOT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local stored = tonumber(redis.call('HGET', KEYS[1], 'revision') or '-1')
if stored >= tonumber(ARGV[1]) then
  return {0, stored}
end
redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'data', ARGV[2])
return {1, stored}
"#,
    )
});

/// Trims the stream's entries at or below `ARGV[1]`, but never past the
/// stored snapshot's revision, so that loading always finds the entries
/// after the snapshot.
///
/// `KEYS[1]` is the stream and `KEYS[2]` the snapshot hash. Returns the
/// number of entries removed. `XTRIM MINID r-1` drops every id below
/// `r-1`, which is `r-0` and older, because entry ids are `revision-0`.
pub(super) static COMPACT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local snapshot = tonumber(redis.call('HGET', KEYS[2], 'revision') or '0')
local revision = math.min(tonumber(ARGV[1]), snapshot)
if revision <= 0 or redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-1', revision))
"#,
    )
});

/// Replaces a damaged snapshot by a good one, but only if the hash still
/// contains the damaged data and no later revision, so that a good
/// snapshot another node saved meanwhile is kept.
///
/// `KEYS[1]` is the snapshot hash, `ARGV[1]` the revision, `ARGV[2]` the
/// encoded snapshot and `ARGV[3]` the damaged data as read. Returns 1 when
/// replaced and 0 when not.
pub(super) static REPLACE_DAMAGED_SNAPSHOT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local stored = tonumber(redis.call('HGET', KEYS[1], 'revision') or '-1') or -1
if redis.call('HGET', KEYS[1], 'data') ~= ARGV[3] or stored > tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'data', ARGV[2])
return 1
"#,
    )
});
