use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use rampart_schema::{RAW, catalog};

use super::time::{format_timestamp_micros, parse_timestamp_micros};
use super::*;

const NOW: i64 = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z
const LIMITS: Limits = Limits { max_row_bytes: 4096, max_rows: 100 };

fn decode(table: &str, body: &str) -> Decoded {
    let ids = ReportIds::starting_at(1000);
    decode_ndjson(catalog().table(table).expect("table"), body.as_bytes(), LIMITS, NOW, &ids).expect("decodes")
}

/// Renders one stored cell as text so cases can state expectations plainly.
fn cell(batch: &RecordBatch, column: &str, row: usize) -> String {
    let idx = batch.schema().index_of(column).expect("column exists");
    let a = batch.column(idx);
    if a.is_null(row) {
        return "null".into();
    }
    match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(row).to_string(),
        DataType::Int64 => a.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Int32 => a.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Float64 => a.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Boolean => a.as_boolean().value(row).to_string(),
        DataType::Timestamp(..) => format_timestamp_micros(a.as_primitive::<TimestampMicrosecondType>().value(row)),
        other => panic!("unexpected type {other}"),
    }
}

/// (table, column, JSON value, stored text or `Err(reason fragment)`).
const CONVERSIONS: &[(&str, &str, &str, Result<&str, &str>)] = &[
    // string
    ("DeviceProcessEvents", "FileName", r#""cmd.exe""#, Ok("cmd.exe")),
    ("DeviceProcessEvents", "FileName", r#""caf\u00e9 \"q\"""#, Ok("café \"q\"")),
    ("DeviceProcessEvents", "FileName", "42", Ok("42")),
    ("DeviceProcessEvents", "FileName", "true", Ok("true")),
    ("DeviceProcessEvents", "FileName", "null", Ok("null")),
    ("DeviceProcessEvents", "FileName", r#""""#, Ok("")),
    ("DeviceProcessEvents", "AdditionalFields", r#"{"b":1,"a":[1,2]}"#, Ok(r#"{"b":1,"a":[1,2]}"#)),
    // long
    ("DeviceProcessEvents", "ProcessId", "4242", Ok("4242")),
    ("DeviceProcessEvents", "ProcessId", "-7", Ok("-7")),
    ("DeviceProcessEvents", "ProcessId", r#""4242""#, Ok("4242")),
    ("DeviceProcessEvents", "ProcessId", "12.0", Ok("12")),
    ("DeviceProcessEvents", "ProcessId", r#""""#, Ok("null")),
    ("DeviceProcessEvents", "ProcessId", "1.5", Err("expected a long integer, got number 1.5")),
    ("DeviceProcessEvents", "ProcessId", r#""abc""#, Err("expected a long integer, got string \"abc\"")),
    ("DeviceProcessEvents", "ProcessId", "18446744073709551615", Err("out of range for long")),
    ("DeviceProcessEvents", "ProcessId", "true", Err("got boolean true")),
    ("DeviceProcessEvents", "ProcessId", "[1]", Err("got an array")),
    // int
    ("DeviceNetworkEvents", "RemotePort", "443", Ok("443")),
    ("DeviceNetworkEvents", "RemotePort", "3000000000", Err("out of range for int")),
    ("DeviceNetworkEvents", "RemotePort", "{}", Err("expected an int, got an object")),
    // bool
    ("DeviceInfo", "IsAzureADJoined", "true", Ok("true")),
    ("DeviceInfo", "IsAzureADJoined", "0", Ok("false")),
    ("DeviceInfo", "IsAzureADJoined", r#""True""#, Ok("true")),
    ("DeviceInfo", "IsAzureADJoined", r#""yes""#, Err("expected a boolean, got string \"yes\"")),
    ("DeviceInfo", "IsAzureADJoined", "2", Err("expected a boolean")),
    // real
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", "7.5", Ok("7.5")),
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", "3", Ok("3")),
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", r#""2.25""#, Ok("2.25")),
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", r#""high""#, Err("expected a real number")),
    // dynamic: JSON text is stored as that JSON, other strings as JSON strings
    ("CloudAppEvents", "ActivityObjects", r#"[{"Name":"x"}]"#, Ok(r#"[{"Name":"x"}]"#)),
    ("CloudAppEvents", "ActivityObjects", r#""[1, 2]""#, Ok("[1,2]")),
    ("CloudAppEvents", "ActivityObjects", r#""plain""#, Ok(r#""plain""#)),
    ("CloudAppEvents", "ActivityObjects", "5", Ok("5")),
    // datetime
    ("DeviceProcessEvents", "ProcessCreationTime", r#""2024-02-29T23:59:59.1234567Z""#, Ok("2024-02-29T23:59:59.123456Z")),
    ("DeviceProcessEvents", "ProcessCreationTime", r#""2024-03-01 01:02:03""#, Ok("2024-03-01T01:02:03.000000Z")),
    ("DeviceProcessEvents", "ProcessCreationTime", r#""2024-03-01T01:02:03+02:00""#, Ok("2024-02-29T23:02:03.000000Z")),
    ("DeviceProcessEvents", "ProcessCreationTime", r#""2024-03-01""#, Ok("2024-03-01T00:00:00.000000Z")),
    ("DeviceProcessEvents", "ProcessCreationTime", r#""2023-02-29T00:00:00Z""#, Err("day out of range")),
    ("DeviceProcessEvents", "ProcessCreationTime", r#""yesterday""#, Err("unparsable datetime \"yesterday\"")),
    ("DeviceProcessEvents", "ProcessCreationTime", "1700000000", Err("expected a datetime string")),
];

#[test]
fn every_type_converts_or_rejects_with_reason() {
    for &(table, column, json, expected) in CONVERSIONS {
        let line = format!(r#"{{"Timestamp":"2024-01-01T00:00:00Z","{column}":{json}}}"#);
        let out = decode(table, &line);
        match expected {
            Ok(stored) => {
                assert!(out.rejected.is_empty(), "{table}.{column} = {json}: unexpected {:?}", out.rejected);
                assert_eq!(cell(&out.batch, column, 0), stored, "{table}.{column} = {json}");
            }
            Err(fragment) => {
                assert_eq!(out.batch.num_rows(), 0, "{table}.{column} = {json} should be rejected");
                let err = &out.rejected[0];
                assert_eq!(err.line, 1);
                assert_eq!(err.column.as_deref(), Some(column));
                assert!(err.reason.contains(fragment), "{table}.{column} = {json}: {:?} lacks {fragment:?}", err.reason);
            }
        }
    }
}

#[test]
fn bad_rows_are_rejected_and_good_rows_kept() {
    let body = concat!(
        r#"{"Timestamp":"2024-01-01T00:00:00Z","FileName":"a.exe","ProcessId":1}"#, "\n",
        r#"{"Timestamp":"not a date","FileName":"b.exe"}"#, "\n",
        "\n",
        r#"{"Timestamp":"2024-01-01T00:00:01Z","FileName":"c.exe""#, "\n",
        r#"[1,2,3]"#, "\r\n",
        r#"{"Timestamp":"2024-01-01T00:00:02Z","FileName":"d.exe","ProcessId":4}"#,
    );
    let out = decode("DeviceProcessEvents", body);
    assert_eq!(out.batch.num_rows(), 2);
    assert_eq!(cell(&out.batch, "FileName", 0), "a.exe");
    assert_eq!(cell(&out.batch, "FileName", 1), "d.exe");
    let lines: Vec<u64> = out.rejected.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 4, 5]);
    assert_eq!(out.rejected[0].column.as_deref(), Some("Timestamp"));
    assert!(out.rejected[1].reason.starts_with("invalid JSON at character"), "{}", out.rejected[1].reason);
    assert!(out.rejected[2].reason.contains("a JSON object"), "{}", out.rejected[2].reason);
}

#[test]
fn unknown_fields_are_kept_in_raw() {
    let out = decode(
        "DeviceProcessEvents",
        r#"{"Timestamp":"2024-01-01T00:00:00Z","FileName":"a.exe","Vendor":{"x":1},"filename":"lower"}"#,
    );
    assert_eq!(cell(&out.batch, RAW, 0), r#"{"Vendor":{"x":1},"filename":"lower"}"#);
    let none = decode("DeviceProcessEvents", r#"{"Timestamp":"2024-01-01T00:00:00Z"}"#);
    assert_eq!(cell(&none.batch, RAW, 0), "null");
}

#[test]
fn missing_timestamp_and_report_id_are_filled() {
    let out = decode("DeviceProcessEvents", "{\"FileName\":\"a\"}\n{\"FileName\":\"b\",\"ReportId\":7}\n{\"FileName\":\"c\"}");
    assert_eq!(cell(&out.batch, "Timestamp", 0), format_timestamp_micros(NOW));
    assert_eq!(cell(&out.batch, "ReportId", 0), "1000");
    assert_eq!(cell(&out.batch, "ReportId", 1), "7");
    assert_eq!(cell(&out.batch, "ReportId", 2), "1001");
    assert_eq!(cell(&out.batch, rampart_schema::INGESTION_TIME, 2), format_timestamp_micros(NOW));
    // Email tables key rows with a string ReportId.
    let mail = decode("EmailEvents", r#"{"Subject":"hi"}"#);
    assert_eq!(cell(&mail.batch, "ReportId", 0), "1000");
}

#[test]
fn limits_fail_the_whole_body() {
    let table = catalog().table("DeviceProcessEvents").expect("table");
    let ids = ReportIds::starting_at(0);
    let long = format!(r#"{{"FileName":"{}"}}"#, "x".repeat(5000));
    let err = decode_ndjson(table, long.as_bytes(), LIMITS, NOW, &ids).expect_err("row too long");
    assert!(err.to_string().contains("line 1 is 5015 bytes, over the row limit of 4096 bytes"), "{err}");
    let many = "{}\n".repeat(101);
    let err = decode_ndjson(table, many.as_bytes(), LIMITS, NOW, &ids).expect_err("too many rows");
    assert!(err.to_string().contains("more than 100 rows"), "{err}");
}

#[test]
fn routed_lines_reach_their_tables() {
    let ids = ReportIds::starting_at(1);
    let mut d = RoutedDecoder::new(catalog().table("DeviceEvents"), NOW, &ids);
    let lines = [
        r#"{"$table":"DeviceProcessEvents","FileName":"a.exe"}"#,
        r#"{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"RemotePort":443},"time":"x"}"#,
        r#"{"ActionType":"Whatever"}"#,
        r#"{"$table":"NoSuchTable"}"#,
        r#"{"category":"AdvancedHunting-DeviceFileEvents","properties":"oops"}"#,
    ];
    let results: Vec<_> = lines.iter().enumerate().map(|(i, l)| d.push_json(i as u64 + 1, l.as_bytes())).collect();
    assert_eq!(results[0], Ok(TableRoute::Field));
    assert_eq!(results[1], Ok(TableRoute::Streaming));
    assert_eq!(results[2], Ok(TableRoute::Default));
    assert_eq!(results[3].as_ref().expect_err("unknown").reason, "unknown table 'NoSuchTable'");
    assert_eq!(results[4].as_ref().expect_err("bad properties").column.as_deref(), Some("properties"));
    let batches = d.finish().expect("finish");
    let names: Vec<&str> = batches.iter().map(|(t, _)| t.name.as_str()).collect();
    assert_eq!(names, ["DeviceEvents", "DeviceNetworkEvents", "DeviceProcessEvents"]);
    // The streaming envelope's other fields are not lost: they are not the row's.
    assert_eq!(cell(&batches[1].1, "RemotePort", 0), "443");
}

#[test]
fn timestamps_parse_strictly() {
    let ok = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.000001Z", 1),
        ("1969-12-31T23:59:59Z", -1_000_000),
        ("2000-01-01T00:00:00-0130", 946_690_200_000_000),
        ("2016-12-31T23:59:60Z", 1_483_228_799_000_000),
        ("  2024-05-01T10:20  ", 1_714_558_800_000_000),
    ];
    for (s, us) in ok {
        assert_eq!(parse_timestamp_micros(s), Ok(us), "{s}");
    }
    for s in ["2024-13-01", "2024-1-01", "2024-01-01T25:00", "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00Zjunk", ""] {
        assert!(parse_timestamp_micros(s).is_err(), "{s} should fail");
    }
    for us in [0, 1, -1, 1_714_558_800_123_456, 253_402_300_799_999_999] {
        let text = format_timestamp_micros(us);
        assert_eq!(parse_timestamp_micros(&text), Ok(us), "{text}");
    }
}

#[test]
fn windows_events_as_json_are_mapped_like_evtx_records() {
    let ids = ReportIds::starting_at(1);
    let mut d = RoutedDecoder::new(None, NOW, &ids);
    let rendered = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"EventRecordID":7,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1.corp.local","TimeCreated":{"#attributes":{"SystemTime":"2024-05-01T10:00:00.000000Z"}}},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","ProcessId":42}}}"##;
    let flat = r#"{"EventID":4624,"Channel":"Security","SourceName":"Microsoft-Windows-Security-Auditing","Hostname":"dc01.corp.local","TimeCreated":"2024-05-01T10:00:01.000Z","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":3,"IpAddress":"10.0.0.5"}"#;
    assert_eq!(d.push_json(1, rendered.as_bytes()), Ok(TableRoute::WindowsEvent));
    assert_eq!(d.push_json(2, flat.as_bytes()), Ok(TableRoute::WindowsEvent));
    assert!(d.push_json(3, br#"{"EventID":1}"#).is_err(), "neither a table nor a Windows event");
    let batches = d.finish().expect("finish");
    let names: Vec<&str> = batches.iter().map(|(t, _)| t.name.as_str()).collect();
    assert_eq!(names, ["DeviceLogonEvents", "DeviceProcessEvents"]);
    let procs = &batches[1].1;
    assert_eq!(cell(procs, "ProcessCommandLine", 0), "cmd /c whoami");
    assert!(cell(procs, RAW, 0).contains(r#""EventRecordID":7"#), "{}", cell(procs, RAW, 0));
    assert_eq!(cell(&batches[0].1, "AccountName", 0), "alice");
}
