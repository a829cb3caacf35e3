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

// invalid is an INVALID_REQUEST error whose text is also the message the
// client gets (see invalidMsg): use it only for what is wrong with the
// request, never with details of accounts or the server.
func invalid(format string, args ...any) error {
	return invalidMsg(format, args...)
}

const msgContentType = "a request body must be JSON, sent with the header Content-Type: application/json"

// readBody reads r's body with the size limit. It returns errRequestTooLarge
// over the limit and an INVALID_REQUEST error for a body that is not
// declared as JSON. An empty body is returned as nil.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
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
			return nil, tooLarge(limit)
		}
		return nil, withMessage(fmt.Errorf("%w: reading body: %w", auth.ErrInvalidRequest, err), "the request body could not be read")
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
	if len(values) == 0 {
		return invalid("%s; the request has no Content-Type", msgContentType)
	}
	if len(values) > 1 {
		return invalid("%s; the request has %d Content-Type headers", msgContentType, len(values))
	}
	mt, params, err := mime.ParseMediaType(values[0])
	if err != nil || mt != "application/json" {
		return invalid("%s; the request has Content-Type: %.64q", msgContentType, values[0])
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return invalid("a JSON request body must be UTF-8: Content-Type: application/json takes no charset but utf-8")
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
			return invalid("this operation needs a JSON request body")
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
	if err := checkJSON(data, reflect.TypeFor[struct{}]()); err != nil {
		return withMessage(err, "this operation takes no request body: send none, or {}")
	}
	return nil
}

// decodeJSON decodes data into dst (a pointer to a struct) with the rules
// of [strictjson.Decode]; its errors wrap auth.ErrInvalidRequest.
func decodeJSON(data []byte, dst any) error {
	if err := strictjson.Decode(data, dst); err != nil {
		return withMessage(fmt.Errorf("%w: %w", auth.ErrInvalidRequest, err), jsonMessage(err))
	}
	return nil
}

// checkJSON checks data with [strictjson.Check] against type t (nil: any
// JSON value); its errors wrap auth.ErrInvalidRequest.
func checkJSON(data []byte, t reflect.Type) error {
	if err := strictjson.Check(data, t); err != nil {
		return withMessage(fmt.Errorf("%w: %w", auth.ErrInvalidRequest, err), jsonMessage(err))
	}
	return nil
}
