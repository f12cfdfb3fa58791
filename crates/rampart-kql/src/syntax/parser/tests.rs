use super::parse;

fn ok(text: &str) {
    let p = parse(text);
    assert!(p.diagnostics.is_empty(), "{text}: {:?}", p.diagnostics);
}

fn err(text: &str, expected: &str) {
    let p = parse(text);
    let all: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(all.iter().any(|m| m.contains(expected)), "{text}: {all:?} should mention {expected}");
}

#[test]
fn parses_common_queries() {
    ok("DeviceProcessEvents | where Timestamp > ago(7d) | where FileName =~ \"cmd.exe\" and ProcessCommandLine has_any (\"a\", 'b')");
    ok("let x = 5; let f = (a:string, b:int = 3) { a }; T | extend y = f(\"a\") | project-away Init*, ['a b']");
    ok("T | summarize count(), dcount(x) by bin(Timestamp, 1h), DeviceName | top 10 by count_ desc nulls last");
    ok("T | join kind=leftouter (U | where a !in~ (\"x\")) on $left.a == $right.b | mv-expand x = parse_json(y) to typeof(string)");
    ok("datatable(a:int, b:string) [1, \"x\", 2, @'y\\'] | where b matches regex \"^x\" and a between (1 .. 2)");
    ok("print d = datetime(2021-01-01 10:00:00), g = guid(74be27de-1e4e-49d9-b579-fe0b331d3642), t = 1.5h, z = dynamic({\"a\": [1, -2.5, null]})");
    ok("T | parse CommandLine with * \"-p \" Port:int \" \" *");
    ok("T | mv-apply x = arr to typeof(string) on (where x has \"a\" | take 1)");
    ok("union DeviceProcessEvents, (DeviceFileEvents | take 1) | render timechart with (title=\"x\")");
    ok("T | project-rename A = B, ['C D'] = E | sort by A asc, B | distinct A, B | count");
    ok("T | where x !has \"a\" and y !startswith_cs 'b' and not(z contains \"q\")");
    ok("range i from 1 to 10 step 1 | invoke FileProfile(SHA1, 1000)");
}

#[test]
fn reports_position_token_and_expectation() {
    let p = parse("T\n| where x == ");
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!((d.line, d.column), (2, 14));
    assert_eq!(d.message, "expected an expression, found the end of the query");
}

#[test]
fn keeps_going_after_an_error() {
    let p = parse("T | where (x | project ) | frob y; U | where");
    assert!(p.diagnostics.len() >= 2, "{:?}", p.diagnostics);
    err("T | frob y", "unknown operator `frob`");
}

#[test]
fn never_panics_on_garbage() {
    for text in ["", "|", "(((((", "\"unterminated", "let", "let x =", "T | where x in (", "```", "@", "0x", "1.5e", "[", "'\\"] {
        let _ = parse(text);
    }
    let deep = "(".repeat(10_000);
    err(&deep, "nested too deeply");
}
