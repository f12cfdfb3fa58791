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

/// Developer aid: `KQL_CHECK=path/to/file.kql cargo test -p rampart-kql --test it check_file -- --nocapture`
/// compiles each query of the file against empty Defender tables and prints the outcome.
#[tokio::test]
async fn check_file() {
    let Ok(path) = std::env::var("KQL_CHECK") else { return };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let ctx = session();
    register_catalog(&ctx);
    let opts = CompileOptions::at(crate::slt::default_clock());
    for r in rampart_kql::split_script(&text) {
        let q = &text[r.clone()];
        println!("--- block at byte {}:\n{q}", r.start);
        match compile(q, &ctx, &opts).await {
            Ok(c) => {
                println!("OK columns: {:?}", c.columns);
                if std::env::var("KQL_PLAN").is_ok() {
                    println!("{}", c.plan.display_indent());
                }
                match ctx.execute_logical_plan(c.plan).await {
                    Ok(df) => match df.collect().await {
                        Ok(_) => println!("RUN OK"),
                        Err(e) => println!("RUN ERROR: {e}"),
                    },
                    Err(e) => println!("PLAN ERROR: {e}"),
                }
            }
            Err(d) => {
                for x in d {
                    println!("ERROR {x}");
                }
            }
        }
    }
}
