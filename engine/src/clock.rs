//! Site ids and vector clocks.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

use crate::invariant::expect_ok;

/// The id of a site: one replica that makes operations, such as a browser
/// tab or a server process. Random, 64 bits.
///
/// Its text form, used in JSON, is 16 lowercase hex digits, because
/// JavaScript numbers cannot hold every 64-bit integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteId(pub u64);

impl SiteId {
    /// Returns a random site id from the operating system's generator.
    ///
    /// # Panics
    ///
    /// Panics if the system random number generator fails, which
    /// `getrandom` reports only on broken platforms.
    pub fn random() -> Self {
        SiteId(expect_ok(
            getrandom::u64(),
            "the system random generator failed",
        ))
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The error returned when a site id's text form is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid site id {0:?}: expected 1 to 16 hex digits")]
pub struct SiteIdError(pub String);

impl FromStr for SiteId {
    type Err = SiteIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `from_str_radix` alone would also take a leading `+`, so that
        // "+1" and "1" would name one site in two spellings.
        let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
        if s.is_empty() || s.len() > 16 || !hex {
            return Err(SiteIdError(s.to_owned()));
        }
        u64::from_str_radix(s, 16)
            .map(SiteId)
            .map_err(|_| SiteIdError(s.to_owned()))
    }
}

impl Serialize for SiteId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SiteId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

/// The relation of two vector clocks in the happened-before order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockOrdering {
    /// Everything the first clock saw, the second saw too, and more.
    Before,
    /// The second clock is before the first.
    After,
    /// Both clocks saw exactly the same operations.
    Equal,
    /// Each clock saw an operation the other did not.
    Concurrent,
}

/// A vector clock: for each site, how many of its operations were seen.
///
/// Entries are kept sorted by site with no zero counters, inline for up to
/// four sites, so that the common case of a few collaborators allocates
/// nothing. The JSON form is an object from site id to counter, such as
/// `{"00000000000000a1": 3}`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct VectorClock {
    entries: SmallVec<[(SiteId, u64); 4]>,
}

impl VectorClock {
    /// Returns the clock that has seen nothing.
    pub fn new() -> Self {
        VectorClock::default()
    }

    /// Returns the counter of `site`, zero if it is absent. O(log s) in the
    /// number of sites.
    pub fn get(&self, site: SiteId) -> u64 {
        match self.entries.binary_search_by_key(&site, |e| e.0) {
            Ok(i) => self.entries[i].1,
            Err(_) => 0,
        }
    }

    /// Sets the counter of `site`. O(s) in the number of sites.
    pub fn set(&mut self, site: SiteId, counter: u64) {
        match self.entries.binary_search_by_key(&site, |e| e.0) {
            Ok(i) if counter == 0 => {
                self.entries.remove(i);
            }
            Ok(i) => self.entries[i].1 = counter,
            Err(_) if counter == 0 => {}
            Err(i) => self.entries.insert(i, (site, counter)),
        }
    }

    /// Counts one more operation of `site` and returns its new counter. A
    /// counter at `u64::MAX`, which only a clock read from outside can
    /// hold, stays there.
    pub fn increment(&mut self, site: SiteId) -> u64 {
        let next = self.get(site).saturating_add(1);
        self.set(site, next);
        next
    }

    /// Raises every counter to at least the one in `other`: the least upper
    /// bound of the two clocks. O(s) in the number of sites.
    pub fn merge(&mut self, other: &VectorClock) {
        let mut merged = SmallVec::with_capacity(self.entries.len().max(other.entries.len()));
        let (mut a, mut b) = (0, 0);
        while a < self.entries.len() || b < other.entries.len() {
            let left = self.entries.get(a);
            let right = other.entries.get(b);
            let entry = match (left, right) {
                (Some(l), Some(r)) if l.0 == r.0 => {
                    a += 1;
                    b += 1;
                    (l.0, l.1.max(r.1))
                }
                (Some(l), Some(r)) if l.0 < r.0 => {
                    a += 1;
                    *l
                }
                (Some(l), None) => {
                    a += 1;
                    *l
                }
                (_, Some(r)) => {
                    b += 1;
                    *r
                }
                (None, None) => unreachable!("the loop condition excludes it"),
            };
            merged.push(entry);
        }
        self.entries = merged;
    }

    /// Returns how this clock relates to `other`. O(s) in the number of
    /// sites.
    pub fn compare(&self, other: &VectorClock) -> ClockOrdering {
        let (mut less, mut greater) = (false, false);
        let (mut a, mut b) = (0, 0);
        while a < self.entries.len() || b < other.entries.len() {
            let left = self.entries.get(a);
            let right = other.entries.get(b);
            match (left, right) {
                (Some(l), Some(r)) if l.0 == r.0 => {
                    less |= l.1 < r.1;
                    greater |= l.1 > r.1;
                    a += 1;
                    b += 1;
                }
                (Some(l), Some(r)) if l.0 < r.0 => {
                    greater = true;
                    a += 1;
                }
                (Some(_), None) => {
                    greater = true;
                    a += 1;
                }
                _ => {
                    less = true;
                    b += 1;
                }
            }
        }
        match (less, greater) {
            (false, false) => ClockOrdering::Equal,
            (true, false) => ClockOrdering::Before,
            (false, true) => ClockOrdering::After,
            (true, true) => ClockOrdering::Concurrent,
        }
    }

    /// Returns true if every counter is at most the one in `other`.
    pub fn le(&self, other: &VectorClock) -> bool {
        matches!(
            self.compare(other),
            ClockOrdering::Before | ClockOrdering::Equal
        )
    }

    /// Returns true if the clock has seen operation `seq` of `site`.
    pub fn contains(&self, site: SiteId, seq: u64) -> bool {
        seq <= self.get(site)
    }

    /// Iterates over the sites and their counters, ordered by site.
    pub fn iter(&self) -> impl Iterator<Item = (SiteId, u64)> + '_ {
        self.entries.iter().copied()
    }

    /// Returns the number of sites with a non-zero counter.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns true if the clock has seen nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl PartialOrd for VectorClock {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.compare(other) {
            ClockOrdering::Before => Some(Ordering::Less),
            ClockOrdering::After => Some(Ordering::Greater),
            ClockOrdering::Equal => Some(Ordering::Equal),
            ClockOrdering::Concurrent => None,
        }
    }
}

impl fmt::Debug for VectorClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(s, n)| (s.to_string(), n)))
            .finish()
    }
}

impl FromIterator<(SiteId, u64)> for VectorClock {
    fn from_iter<I: IntoIterator<Item = (SiteId, u64)>>(iter: I) -> Self {
        let mut clock = VectorClock::new();
        for (site, counter) in iter {
            let merged = clock.get(site).max(counter);
            clock.set(site, merged);
        }
        clock
    }
}

impl Serialize for VectorClock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries.iter().map(|(site, n)| (site, n)))
    }
}

impl<'de> Deserialize<'de> for VectorClock {
    /// Reads the JSON object form. A site that appears twice, also when
    /// spelled two ways (`"a1"` and `"00A1"`), is rejected, because one of
    /// its counters would be lost.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let counters = deserialize_site_counters(d)?;
        Ok(counters.into_iter().collect())
    }
}

/// Reads an object from site id to counter, rejecting a site that appears
/// twice, also when spelled two ways. For vector clocks and snapshots.
pub(crate) fn deserialize_site_counters<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<SiteId, u64>, D::Error> {
    d.deserialize_map(SiteCountersVisitor)
}

struct SiteCountersVisitor;

impl<'de> Visitor<'de> for SiteCountersVisitor {
    type Value = BTreeMap<SiteId, u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object from site id (hex) to counter")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut counters = BTreeMap::new();
        while let Some((site, counter)) = map.next_entry::<SiteId, u64>()? {
            if counters.insert(site, counter).is_some() {
                return Err(A::Error::custom(format!(
                    "site {site} appears twice, but each site has one counter"
                )));
            }
        }
        Ok(counters)
    }
}
