//! Builds pprof goroutine profiles for the benchmarks, shaped as Go writes them: one
//! function and one location per frame, runtime frames on top, gzipped.

use std::io::Write;
use std::path::Path;

use leakprof::profile::pprof::{Function, Line, Location, PSample, Profile, ValueType};

pub struct ProfileBuilder {
    strings: Vec<String>,
    functions: Vec<Function>,
    locations: Vec<Location>,
    samples: Vec<PSample>,
}

impl ProfileBuilder {
    pub fn new() -> ProfileBuilder {
        ProfileBuilder {
            strings: vec![String::new(), "goroutine".into(), "count".into()],
            functions: Vec::new(),
            locations: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// A frame of `function` at `file:line`; returns its location id.
    pub fn frame(&mut self, function: &str, file: &str, line: i64) -> u64 {
        let id = self.functions.len() as u64 + 1;
        self.strings.push(function.to_string());
        self.strings.push(file.to_string());
        let name = self.strings.len() as i64 - 2;
        self.functions.push(Function {
            id,
            name,
            system_name: 0,
            filename: name + 1,
        });
        self.locations.push(Location {
            id,
            address: 0x40_0000 + id,
            line: vec![Line {
                function_id: id,
                line,
            }],
        });
        id
    }

    /// `count` goroutines with this stack (location ids, innermost first).
    pub fn sample(&mut self, location_id: Vec<u64>, count: i64) {
        self.samples.push(PSample {
            location_id,
            value: vec![count],
            label: Vec::new(),
        });
    }

    /// Writes the profile, taken at `time_nanos`, gzipped as /debug/pprof/goroutine serves it.
    pub fn write_gz(self, path: &Path, time_nanos: i64) {
        let profile = Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: self.samples,
            location: self.locations,
            function: self.functions,
            string_table: self.strings,
            time_nanos,
            duration_nanos: 0,
        };
        let file = std::fs::File::create(path).expect("create the profile");
        let mut gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gzip.write_all(&prost::Message::encode_to_vec(&profile))
            .expect("write the profile");
        gzip.finish().expect("write the profile");
    }
}
