//! The Lua scripts that make the Redis store's writes atomic. Redis runs a
//! script without interleaving other commands, so each check and the write
//! that depends on it happen as one step.
//!
//! Revisions travel as decimal strings and Lua 5.1 (the version Redis
//! embeds) reads them as doubles, so they are exact up to 2^53.

use std::sync::LazyLock;

use redis::Script;

/// Lua that sets `head` to the revision of the last entry ever added to
/// the stream `KEYS[1]`, or 0. It reads `last-generated-id` from `XINFO
/// STREAM`, which survives `XTRIM`, so a stream trimmed down to nothing
/// still reports its head.
macro_rules! read_head_lua {
    () => {
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
"#
    };
}

/// Appends entries for the revisions after `ARGV[1]`, but only if the
/// stream's last entry id is still `ARGV[1]-0` and no entry comes from a
/// connection that a newer one of its site replaced.
///
/// `KEYS[1]` is the stream and `KEYS[2]` the hash of fencing tokens (site
/// to the token of its newest connection). `ARGV[2..]` are the entries,
/// oldest first, three arguments each: the site, the fencing token of
/// the connection that sent it (0 for none, which skips the check) and
/// the encoded entry. Returns `{1, new head}` on success, `{0, actual
/// head}` when another writer appended first, and `{2, head, site,
/// newest token, ...}` with each site whose entry carries an older token
/// than the hash. In the last two cases nothing is added.
pub(super) static APPEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        read_head_lua!(),
        r#"
local expected = tonumber(ARGV[1])
if head ~= expected then
  return {0, head}
end
local fenced = {2, head}
local newest_of = {}
local reported = {}
for i = 2, #ARGV, 3 do
  local site = ARGV[i]
  local token = tonumber(ARGV[i + 1])
  if token > 0 then
    local newest = newest_of[site]
    if newest == nil then
      newest = tonumber(redis.call('HGET', KEYS[2], site) or '0')
      newest_of[site] = newest
    end
    if newest > token and not reported[site] then
      reported[site] = true
      fenced[#fenced + 1] = site
      fenced[#fenced + 1] = newest
    end
  end
end
if #fenced > 2 then
  return fenced
end
local count = 0
for i = 4, #ARGV, 3 do
  count = count + 1
  local id = string.format('%d-0', expected + count)
  redis.call('XADD', KEYS[1], id, 'op', ARGV[i])
end
return {1, expected + count}
"#
    ))
});

/// Hands a new fencing token to a connection of site `ARGV[1]`: one more
/// than the site's last, so that every older connection's entries fail
/// the check of [`APPEND`] from now on.
///
/// `KEYS[1]` is the stream and `KEYS[2]` the hash of fencing tokens.
/// Returns `{token, head}`: every entry of an older connection that was
/// stored is at or below `head`.
pub(super) static FENCE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        read_head_lua!(),
        r#"
local token = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return {token, head}
"#
    ))
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
