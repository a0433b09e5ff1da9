module example.com/builtin/stdlib

go 1.24
