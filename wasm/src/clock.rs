//! The `VectorClock` class and site ids.

use echostream::{ClockOrdering, SiteId, VectorClock};
use wasm_bindgen::prelude::*;

use crate::args::{counter_arg, error, from_counter, str_arg, JsResult, MAX_SAFE_INTEGER};
use crate::json::{from_js, to_js};

/// A vector clock: for each site, how many of its operations were seen.
/// Sites are named by their id, 16 lowercase hex digits.
#[wasm_bindgen(js_name = VectorClock)]
#[derive(Clone, Debug, Default)]
pub struct JsVectorClock {
    pub(crate) clock: VectorClock,
}

impl From<VectorClock> for JsVectorClock {
    fn from(clock: VectorClock) -> Self {
        JsVectorClock { clock }
    }
}

/// Reads a site id from its text form, 1 to 16 hex digits, rejecting a
/// value that is not a string.
pub fn to_site(value: &JsValue) -> JsResult<SiteId> {
    Ok(str_arg(value, "site")?.parse::<SiteId>()?)
}

#[wasm_bindgen(js_class = VectorClock)]
impl JsVectorClock {
    /// Returns the clock that has seen nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsVectorClock {
        JsVectorClock::default()
    }

    /// Reads a clock from its JSON form, an object from site id to
    /// counter.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "VectorClockJson")] json: JsValue,
    ) -> JsResult<JsVectorClock> {
        Ok(from_js::<VectorClock>(json, "vector clock")?.into())
    }

    /// Returns the JSON form, an object from site id to counter.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "VectorClockJson")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&self.clock, "vector clock")
    }

    /// Returns the counter of `site`, zero if absent.
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
    ) -> JsResult<f64> {
        from_counter(self.clock.get(to_site(&site)?), "counter")
    }

    /// Sets the counter of `site`; zero removes it.
    pub fn set(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] counter: JsValue,
    ) -> JsResult<()> {
        let site = to_site(&site)?;
        self.clock.set(site, counter_arg(&counter, "counter")?);
        Ok(())
    }

    /// Counts one more operation of `site` and returns its new counter.
    /// Throws, leaving the clock unchanged, when the counter is at the
    /// maximum 2^53 - 1.
    pub fn increment(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
    ) -> JsResult<f64> {
        let site = to_site(&site)?;
        let counter = self.clock.get(site);
        if counter as f64 >= MAX_SAFE_INTEGER {
            return Err(error(format!(
                "counter {counter} of site {site} is at the maximum {MAX_SAFE_INTEGER}, \
                 so it cannot be incremented"
            )));
        }
        from_counter(self.clock.increment(site), "counter")
    }

    /// Raises every counter to at least the one in `other`.
    pub fn merge(&mut self, other: &JsVectorClock) {
        self.clock.merge(&other.clock);
    }

    /// Returns how this clock relates to `other`: "before" when `other`
    /// saw everything this one did and more.
    #[wasm_bindgen(unchecked_return_type = "ClockOrdering")]
    pub fn compare(&self, other: &JsVectorClock) -> String {
        match self.clock.compare(&other.clock) {
            ClockOrdering::Before => "before",
            ClockOrdering::After => "after",
            ClockOrdering::Equal => "equal",
            ClockOrdering::Concurrent => "concurrent",
        }
        .to_owned()
    }

    /// True if the clock has seen operation `seq` of `site`.
    pub fn contains(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] site: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] seq: JsValue,
    ) -> JsResult<bool> {
        let site = to_site(&site)?;
        Ok(self
            .clock
            .contains(site, counter_arg(&seq, "sequence number")?))
    }

    /// The sites with a non-zero counter, in order.
    #[wasm_bindgen(getter)]
    pub fn sites(&self) -> Vec<String> {
        self.clock
            .iter()
            .map(|(site, _)| site.to_string())
            .collect()
    }

    /// Returns a copy.
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> JsVectorClock {
        self.clone()
    }
}

/// Returns a new random site id, 16 lowercase hex digits.
#[wasm_bindgen(js_name = randomSiteId)]
pub fn random_site_id() -> String {
    SiteId::random().to_string()
}
