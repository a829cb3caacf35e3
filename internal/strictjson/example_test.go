package strictjson_test

import (
	"errors"
	"fmt"

	"github.com/latchkit/latch/internal/strictjson"
)

// Members reads a JWT's claims: the registered names must be spelled
// exactly, no two names may fold to the same, and a lone surrogate escape
// is refused wherever it is.
func ExampleMembers() {
	known := []string{"sub", "exp"}
	ms, err := strictjson.Members([]byte(`{"sub":"user-1","exp":1700000000,"role":"admin"}`), nil, known)
	fmt.Println(err)
	for _, m := range ms {
		fmt.Printf("%s=%s\n", m.Name, m.Value)
	}

	_, err = strictjson.Members([]byte(`{"sub":"a","SUB":"admin"}`), nil, known)
	fmt.Println(errors.Is(err, strictjson.ErrDuplicate))

	_, err = strictjson.Members([]byte(`{"sub":"\ud800"}`), nil, known)
	fmt.Println(err)
	// Output:
	// <nil>
	// sub="user-1"
	// exp=1700000000
	// role="admin"
	// true
	// invalid JSON: unpaired surrogate escape
}

func ExampleDecode() {
	var req struct {
		Name string `json:"name" required:"true"`
	}
	fmt.Println(strictjson.Decode([]byte(`{"name":"mia"}`), &req), req.Name)
	fmt.Println(strictjson.Decode([]byte(`{"Name":"mia"}`), &req))
	fmt.Println(strictjson.Decode([]byte(`{"name":"mia","name":"admin"}`), &req))
	// Output:
	// <nil> mia
	// invalid JSON: unknown field "Name"
	// invalid JSON: duplicate field "name"
}
