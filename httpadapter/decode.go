package httpadapter

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/strictjson"
)

// MaxBodyBytes is the size limit of request bodies, except for
// POST /admin/restore (see Config.MaxRestoreBytes).
const MaxBodyBytes = 64 << 10

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", auth.ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// readBody reads r's body with the size limit. It returns errRequestTooLarge
// over the limit and an INVALID_REQUEST error for a body that is not
// declared as JSON. An empty body is returned as nil.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errRequestTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	size := r.ContentLength
	if size < 0 || size > limit {
		size = 512
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	if _, err := buf.ReadFrom(body); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errRequestTooLarge
		}
		return nil, invalid("reading body: %v", err)
	}
	if buf.Len() == 0 {
		return nil, nil
	}
	if err := checkContentType(r.Header.Values("Content-Type")); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkContentType accepts exactly one Content-Type, application/json,
// with no charset or charset=utf-8.
func checkContentType(values []string) error {
	if len(values) != 1 {
		return invalid("content type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(values[0])
	if err != nil || mt != "application/json" {
		return invalid("content type must be application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return invalid("charset must be utf-8")
	}
	return nil
}

// decodeBody reads r's JSON body into dst (a pointer to a struct) with the
// strict rules of decodeJSON. required says whether an empty body is an
// error; otherwise it leaves dst as it is.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any, required bool) error {
	data, err := readBody(w, r, MaxBodyBytes)
	if err != nil {
		return err
	}
	if data == nil {
		if required {
			return invalid("missing body")
		}
		return nil
	}
	return decodeJSON(data, dst)
}

// refuseBody reads the body of a request to an operation that takes none:
// empty, or an empty JSON object (what some clients send with every POST),
// is fine; anything else is refused like a body with an unknown field.
func refuseBody(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(w, r, MaxBodyBytes)
	if err != nil || data == nil {
		return err
	}
	return checkJSON(data, reflect.TypeFor[struct{}]())
}

// decodeJSON decodes data into dst (a pointer to a struct) with the rules
// of [strictjson.Decode]; its errors wrap auth.ErrInvalidRequest.
func decodeJSON(data []byte, dst any) error {
	if err := strictjson.Decode(data, dst); err != nil {
		return fmt.Errorf("%w: %w", auth.ErrInvalidRequest, err)
	}
	return nil
}

// checkJSON checks data with [strictjson.Check] against type t (nil: any
// JSON value); its errors wrap auth.ErrInvalidRequest.
func checkJSON(data []byte, t reflect.Type) error {
	if err := strictjson.Check(data, t); err != nil {
		return fmt.Errorf("%w: %w", auth.ErrInvalidRequest, err)
	}
	return nil
}
