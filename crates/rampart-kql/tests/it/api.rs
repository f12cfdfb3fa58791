//! Checks of the public API.

use rampart_kql::{CompileOptions, KustoType, compile, parse};

use crate::support::{register_catalog, session};

#[tokio::test]
async fn compile_reports_kusto_types_and_render() {
    let ctx = session();
    register_catalog(&ctx);
    let opts = CompileOptions::at(crate::slt::default_clock());
    let q = "DeviceProcessEvents | summarize n = count(), last = max(Timestamp) by DeviceName | render barchart";
    let c = compile(q, &ctx, &opts).await.expect("compiles");
    assert_eq!(
        c.columns,
        vec![("DeviceName".to_string(), KustoType::String), ("n".to_string(), KustoType::Long), ("last".to_string(), KustoType::DateTime)]
    );
    assert_eq!(c.render.map(|r| r.visualization), Some("barchart".to_string()));
}

#[tokio::test]
async fn unknown_table_is_a_clear_diagnostic() {
    let ctx = session();
    register_catalog(&ctx);
    let err = compile("DeviceProcessEvent | take 1", &ctx, &CompileOptions::default()).await.expect_err("unknown table");
    assert_eq!(err[0].to_string(), "1:1: unknown table `DeviceProcessEvent`");
}

#[test]
fn parse_collects_several_errors() {
    let p = parse("T | where | project ,");
    assert!(p.diagnostics.len() >= 2, "{:?}", p.diagnostics);
}
