module github.com/tend-health/tend

go 1.26.8
