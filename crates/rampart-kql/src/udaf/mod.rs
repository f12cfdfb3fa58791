//! Aggregate UDFs: whole-row `arg_max`/`arg_min`/`take_any`, and the JSON collectors
//! `make_set`/`make_list`/`make_bag`. Everything else maps to DataFusion's aggregates.

pub mod arg;
pub mod collect;
pub mod series;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use datafusion::logical_expr::AggregateUDF;

fn registry() -> &'static HashMap<String, Arc<AggregateUDF>> {
    static REGISTRY: OnceLock<HashMap<String, Arc<AggregateUDF>>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let all = [
            AggregateUDF::new_from_impl(arg::ArgUdaf::new(arg::Mode::Max)),
            AggregateUDF::new_from_impl(arg::ArgUdaf::new(arg::Mode::Min)),
            AggregateUDF::new_from_impl(arg::ArgUdaf::new(arg::Mode::Any)),
            AggregateUDF::new_from_impl(collect::CollectUdaf::new(collect::Kind::Set)),
            AggregateUDF::new_from_impl(collect::CollectUdaf::new(collect::Kind::List)),
            AggregateUDF::new_from_impl(collect::CollectUdaf::new(collect::Kind::Bag)),
            AggregateUDF::new_from_impl(series::SeriesUdaf::default()),
        ];
        all.into_iter().map(|u| (u.name().to_string(), Arc::new(u))).collect()
    })
}

/// All aggregate UDFs, for registration in a session.
pub fn all() -> Vec<Arc<AggregateUDF>> {
    registry().values().cloned().collect()
}

/// The aggregate UDF called `name`.
pub fn get(name: &str) -> Option<Arc<AggregateUDF>> {
    registry().get(name).cloned()
}
