package mail_test

import (
	"fmt"

	"github.com/latchkit/latch/mail"
)

func ExampleParseURL() {
	s, err := mail.ParseURL("smtps://latch%40example.com:secret@smtp.example.com")
	fmt.Println(s.Host, s.Port, s.Implicit, s.Username, err)
	_, err = mail.ParseURL("smtp://user:secret@smtp.example.com/inbox")
	fmt.Println(err)
	// Output:
	// smtp.example.com 465 true latch@example.com <nil>
	// mail: invalid config: smtp url: only scheme, user, password, host and port are allowed
}
