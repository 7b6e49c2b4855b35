package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede/sync/wire"
)

// AuditHeads returns the audit heads centrale keeps for the sede (GET
// /v1/audit/heads), every desk's chain, by chain and Seq: the store's
// CheckAnchors checks its chain against them. Each push carries the
// store's head (Push).
func (c *Client) AuditHeads(ctx context.Context) ([]wire.KeptHead, error) {
	var resp wire.AuditHeadsResponse
	if err := c.call(ctx, http.MethodGet, "/v1/audit/heads", nil, &resp); err != nil {
		return nil, fmt.Errorf("audit heads: %w", err)
	}
	return resp.Heads, nil
}
