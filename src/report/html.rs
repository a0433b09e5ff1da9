//! HTML (being written).
pub fn write(_report: &super::Report, _out: &mut dyn std::io::Write) -> std::io::Result<()> {
    Err(std::io::Error::other("HTML output is being written"))
}
