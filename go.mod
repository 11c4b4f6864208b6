module github.com/tracehound/tracehound

go 1.26

require (
	github.com/go-json-experiment/json v1.27.2 // indirect
	gopkg.in/ini.v1 v1.67.3 // indirect
)
