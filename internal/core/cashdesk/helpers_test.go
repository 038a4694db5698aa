package cashdesk_test

import "github.com/gatehouse/gatehouse/internal/core/cashdesk"

func cashdeskUpdate(name, edrpou, drfo *string) cashdesk.CashierUpdate {
	return cashdesk.CashierUpdate{FullName: name, EDRPOU: edrpou, DRFO: drfo}
}
