package httpadapter

import "reflect"

func reflectType(v any) reflect.Type { return reflect.TypeOf(v).Elem() }

// RouteInfo is one row of the route table, for tests outside the package.
type RouteInfo struct {
	Method, Path string
	TakesBody    bool
}

// Routes returns the route table.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routes))
	for i, rt := range routes {
		out[i] = RouteInfo{rt.method, rt.path, rt.body != noBody}
	}
	return out
}
