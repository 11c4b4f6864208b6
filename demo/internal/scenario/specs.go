package scenario

// specs are the compact incidents (see Spec), in the order Names lists
// them after the hand-laid ones. The holdout incidents (specs_holdout.go)
// are marked in their expected.json.
var specs = []func() *Spec{
	ledgerDateFormat,
	searchTimeoutDefault,
	profileRenamedField,
	stockNullCrash,
	parcelWeightUnits,
	couponZeroDivision,
	exportPriorityCase,
	shipmentUnknownField,
	webhookSignatureEncoding,
	recsLimitConfig,
	cartCouponCrash,
	activityMillisTimestamp,
	accountPlanRenamed,
	taxCurrencyCase,
}
