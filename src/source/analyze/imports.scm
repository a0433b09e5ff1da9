; Every import of the file, with the local name it is used under.
; The local name is written in Rust's reading of these captures: a plain import
; is used under its package's name, a named one under the name.

; import "time"
(import_spec
  !name
  path: (_) @path)

; import t "time". Dot and blank imports (`.`, `_`) give no qualifier to look for,
; so they match neither pattern.
(import_spec
  name: (package_identifier) @name
  path: (_) @path)
