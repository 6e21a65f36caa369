// An example scoreAd(adMetadata, bid, auctionConfig, trustedScoringSignals,
// deviceSignals, directFromSellerSignals) as a seller would write it:
// casino ads (category games/casino and below) are rejected as category
// exclusions; other games ads count half, because the publisher wants fewer
// of them; every other ad is worth its bid.
function scoreAd(adMetadata, bid, auctionConfig, trustedScoringSignals,
    deviceSignals, directFromSellerSignals) {
  const cat = adMetadata.category || '';
  const under = (c) => cat === c || cat.startsWith(c + '/');
  if (under('games/casino'))
    return { desirability: 0, rejectReason: 'category-exclusions' };
  if (under('games'))
    return { desirability: bid / 2, allowComponentAuction: false };
  return bid;
}
