package core

import "context"

// Reply is a door's whole answer to a request, as the door writes it.
type Reply struct {
	Status int
	Header map[string]string // Content-Type, Cache-Control, …
	Body   []byte
}

// ReplyKeeper keeps the reply of a request made with an Idempotency-Key
// (internal/idempotency). The operations that accept the header call Keep
// inside the transaction of their effects, with the result their door
// renders: the reply is stored if and only if the effects commit. A
// registration whose commit went through but whose answer was lost on
// the way (503) is then answered, when retried with the same key, with
// the original 201 instead of running again into 409.
type ReplyKeeper interface {
	Keep(ctx context.Context, tx ReplyTx, result any) error
}

// ReplyTx is the part of a transaction a ReplyKeeper writes the reply
// through (idempotency.Store's FinishIdempotency): every domain's store
// has it, so that a reply commits with the effects it describes.
type ReplyTx interface {
	FinishIdempotency(ctx context.Context, id []byte, owner string, status int, sealed []byte) error
}

type replyKeeperKey struct{}

// WithReplyKeeper returns ctx carrying k for the operation it is passed to.
func WithReplyKeeper(ctx context.Context, k ReplyKeeper) context.Context {
	return context.WithValue(ctx, replyKeeperKey{}, k)
}

// KeepReply has the request's ReplyKeeper, if it has one, keep the reply
// rendered from result in tx. Operations call it as the last step of the
// transaction that makes their effects.
func KeepReply(ctx context.Context, tx ReplyTx, result any) error {
	if k, ok := ctx.Value(replyKeeperKey{}).(ReplyKeeper); ok {
		return k.Keep(ctx, tx, result)
	}
	return nil
}
