module contrib.go.opencensus.io/exporter/ocagent

go 1.24
