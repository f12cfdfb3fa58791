use arrow_schema::DataType;

use crate::{Catalog, ColumnType, INGESTION_TIME, RAW, catalog};

#[test]
fn embedded_schema_loads_every_table_in_file_order() {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../data/hunting-schema.json")).expect("valid json");
    let names: Vec<&str> = raw["tables"]
        .as_array()
        .expect("tables array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    let loaded: Vec<&str> = catalog().table_names().collect();
    assert_eq!(loaded, names);
    assert!(loaded.len() >= 30, "expected the full Defender table set, got {}", loaded.len());
}

#[test]
fn columns_keep_names_order_and_types() {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../data/hunting-schema.json")).expect("valid json");
    for t in raw["tables"].as_array().expect("tables") {
        let table = catalog().table(t["name"].as_str().expect("name")).expect("table loaded");
        let cols = t["columns"].as_array().expect("columns");
        assert_eq!(table.schema().fields().len(), cols.len(), "{}", table.name);
        for (field, col) in table.schema().fields().iter().zip(cols) {
            assert_eq!(field.name(), col["name"].as_str().expect("col name"));
            let expected = match col["type"].as_str().expect("type") {
                "string" | "guid" | "dynamic" => DataType::Utf8,
                "datetime" => crate::catalog::timestamp_type(),
                "long" => DataType::Int64,
                "int" => DataType::Int32,
                "bool" | "boolean" => DataType::Boolean,
                "real" => DataType::Float64,
                other => panic!("unexpected type {other}"),
            };
            assert_eq!(field.data_type(), &expected, "{}.{}", table.name, field.name());
        }
    }
}

#[test]
fn storage_schema_appends_system_columns() {
    let t = catalog().table("DeviceProcessEvents").expect("table");
    let s = t.storage_schema();
    assert_eq!(s.fields().len(), t.columns.len() + 2);
    assert_eq!(s.field(t.ingestion_time_index()).name(), INGESTION_TIME);
    assert_eq!(s.field(t.raw_index()).name(), RAW);
    assert_eq!(t.timestamp_index(), Some(0));
    assert_eq!(t.column("ProcessCommandLine").map(|(_, c)| c.kind), Some(ColumnType::String));
    assert!(t.column("processcommandline").is_none(), "column names are case-sensitive");
}

#[test]
fn malformed_schema_is_rejected_with_reason() {
    let cases = [
        (r#"{"tables":[{"name":"T","workload":"endpoint","columns":[{"name":"a","type":"blob"}]}]}"#, "unknown type 'blob'"),
        (r#"{"tables":[{"name":"T","workload":"mars","columns":[]}]}"#, "unknown workload 'mars'"),
        (r#"{"tables":[{"name":"T","workload":"email","columns":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}]}"#, "defined twice"),
        (r#"{"tables":[{"name":"T","workload":"email","columns":[{"name":"$x","type":"int"}]}]}"#, "reserved"),
    ];
    for (json, expected) in cases {
        let err = Catalog::from_json(json).expect_err(json).to_string();
        assert!(err.contains(expected), "{err} should mention {expected}");
    }
}

#[test]
fn unknown_table_error_names_it() {
    let err = catalog().require("DeviceProcessEvent").expect_err("typo");
    assert_eq!(err.to_string(), "unknown table 'DeviceProcessEvent'");
    assert_eq!(err.code(), crate::ErrorCode::NotFound);
}

#[test]
fn only_datetime_timestamps_partition() {
    let oauth = catalog().table("OAuthAppInfo").expect("table");
    assert_eq!(oauth.column("Timestamp").map(|(_, c)| c.kind), Some(ColumnType::String));
    assert_eq!(oauth.timestamp_index(), None, "a string Timestamp cannot partition by time");
    let tvm = catalog().table("DeviceTvmSoftwareInventory").expect("table");
    assert_eq!(tvm.timestamp_index(), None);
}
