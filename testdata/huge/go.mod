module example.com/huge

go 1.19
