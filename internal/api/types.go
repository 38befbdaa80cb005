package api

import "reflect"

var (
	typeOfOptInt    = reflect.TypeOf(optInt{})
	typeOfOptString = reflect.TypeOf(optString{})
)
