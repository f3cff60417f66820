module example.com/ecosystem-go-app

go 1.22

require (
	github.com/gin-gonic/gin v1.10.0
	golang.org/x/text v0.16.0
)

require (
	github.com/bytedance/sonic v1.11.6 // indirect
	github.com/go-playground/validator/v10 v10.20.0 // indirect
	golang.org/x/net v0.25.0 // indirect
)

replace golang.org/x/net => golang.org/x/net v0.26.0
