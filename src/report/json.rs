//! The JSON report (schema_version 1). Field names and meanings are a contract: add fields,
//! never rename or drop them.

use std::io::{self, Write};

use crate::model::Report;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
