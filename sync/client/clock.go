package client

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// ClockAhead returns how far this PC's clock runs ahead of centrale's, by
// its latest answer, when more than centrale takes of an event's time
// (pinsede.ClockReading.Ahead), and 0 otherwise: with Online and Notify
// it makes the client a pinsede.Link.
func (c *Client) ClockAhead() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Clock.Ahead()
}

// ClockBehind is ClockAhead the other way (pinsede.ClockReading.Behind),
// or, when this PC's clock reads earlier than the desk certificate's
// NotBefore (Config.NotBefore), at least how much earlier: that needs no
// answer of centrale, which such a clock cannot reach.
func (c *Client) ClockBehind() time.Duration {
	c.mu.Lock()
	behind := c.state.Clock.Behind()
	c.mu.Unlock()
	if nb := c.cfg.NotBefore; !nb.IsZero() {
		behind = max(behind, nb.Sub(c.cfg.Now()))
	}
	return behind
}

// measure keeps, in the state, how far this PC's clock is from centrale's
// by the Date of its answer resp, against the midpoint of the exchange
// from start to end on this PC's clock, and the skew centrale allows
// (wire.MaxClockSkewHeader). Only centrale's answers measure: one without
// the skew or the Date (a proxy's, a centrale's of before the header)
// tells nothing of centrale's clock.
func (c *Client) measure(resp *http.Response, start, end time.Time) {
	n, err := strconv.ParseInt(resp.Header.Get(wire.MaxClockSkewHeader), 10, 64)
	if err != nil || n <= 0 || n >= 1<<32 {
		return
	}
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	// Centrale's clock lay within [date, date+1s) when it answered, some
	// time between start and end.
	span := max(end.Sub(start), 0)
	r := pinsede.ClockReading{
		Offset:  start.Add(span / 2).Sub(date.Add(time.Second / 2)),
		Error:   span/2 + time.Second/2,
		At:      end,
		MaxSkew: time.Duration(n) * time.Second,
	}
	c.mu.Lock()
	c.state.Clock = r
	c.answers++
	c.mu.Unlock()
}
