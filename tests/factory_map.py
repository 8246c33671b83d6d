"""The factory that makes a valid row of each model: used by the factory and admin tests, which
check that every model of the project has one."""

from accounts.models import AdminRole, User, UserAddress, UserSession, UserSessionSpentToken
from accounts.tests.factories import (
    AdminRoleFactory,
    UserAddressFactory,
    UserFactory,
    UserSessionFactory,
    UserSessionSpentTokenFactory,
)
from analytics.models import AnalyticsEvent, SellerStatistics
from analytics.tests.factories import AnalyticsEventFactory, SellerStatisticsFactory
from catalog.models import Category, Product, ProductAttribute, ProductImage, ProductVariant
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from chat.models import Chat, ChatParticipant, Message, MessageRead
from chat.tests.factories import ChatFactory, ChatParticipantFactory, MessageFactory, MessageReadFactory
from delivery.models import DeliveryTariff, DeliveryZone
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from disputes.models import Dispute, DisputeMessage, ReturnItem, ReturnRequest
from disputes.tests.factories import (
    DisputeFactory,
    DisputeMessageFactory,
    ReturnItemFactory,
    ReturnRequestFactory,
)
from finance.models import (
    BankAccount,
    Commission,
    Payment,
    PaymentOrder,
    PaymentRefund,
    Payout,
    Wallet,
    WalletTransaction,
)
from finance.tests.factories import (
    BankAccountFactory,
    CommissionFactory,
    PaymentFactory,
    PaymentOrderFactory,
    PaymentRefundFactory,
    PayoutFactory,
    WalletFactory,
    WalletTransactionFactory,
)
from gogomarket.core.models import AuditLog, IdempotencyKey, Setting
from gogomarket.core.tests.factories import AuditLogFactory, IdempotencyKeyFactory, SettingFactory
from notifications.models import Notification, NotificationSetting
from notifications.tests.factories import NotificationFactory, NotificationSettingFactory
from orders.models import Cart, CartItem, Order, OrderItem, OrderStatusHistory, OrderTracking
from orders.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusHistoryFactory,
    OrderTrackingFactory,
)
from promotions.models import FlashSale, FlashSaleProduct, PromoCode, PromoCodeUsage
from promotions.tests.factories import (
    FlashSaleFactory,
    FlashSaleProductFactory,
    PromoCodeFactory,
    PromoCodeUsageFactory,
)
from reviews.models import Review, ReviewImage, ReviewResponse
from reviews.tests.factories import ReviewFactory, ReviewImageFactory, ReviewResponseFactory
from social.models import Reel, ReelComment, ReelLike, Story, StoryView, Subscription
from social.tests.factories import (
    ReelCommentFactory,
    ReelFactory,
    ReelLikeFactory,
    StoryFactory,
    StoryViewFactory,
    SubscriptionFactory,
)

PROJECT_APPS = (
    "core",
    "accounts",
    "catalog",
    "orders",
    "finance",
    "social",
    "chat",
    "reviews",
    "notifications",
    "delivery",
    "disputes",
    "promotions",
    "analytics",
)

MODEL_FACTORIES = {
    # gogomarket.core
    Setting: SettingFactory,
    AuditLog: AuditLogFactory,
    IdempotencyKey: IdempotencyKeyFactory,  # beyond the spec
    # accounts
    User: UserFactory,
    AdminRole: AdminRoleFactory,
    UserSession: UserSessionFactory,
    UserSessionSpentToken: UserSessionSpentTokenFactory,  # beyond the spec
    UserAddress: UserAddressFactory,
    # catalog
    Category: CategoryFactory,
    Product: ProductFactory,
    ProductImage: ProductImageFactory,
    ProductVariant: ProductVariantFactory,
    ProductAttribute: ProductAttributeFactory,
    # orders
    Order: OrderFactory,
    OrderItem: OrderItemFactory,
    OrderStatusHistory: OrderStatusHistoryFactory,
    OrderTracking: OrderTrackingFactory,
    Cart: CartFactory,  # beyond the spec
    CartItem: CartItemFactory,  # beyond the spec
    # finance
    Wallet: WalletFactory,
    WalletTransaction: WalletTransactionFactory,
    Commission: CommissionFactory,
    Payout: PayoutFactory,
    BankAccount: BankAccountFactory,
    Payment: PaymentFactory,  # beyond the spec
    PaymentRefund: PaymentRefundFactory,  # beyond the spec
    PaymentOrder: PaymentOrderFactory,  # beyond the spec
    # social
    Story: StoryFactory,
    StoryView: StoryViewFactory,
    Reel: ReelFactory,
    ReelLike: ReelLikeFactory,
    ReelComment: ReelCommentFactory,
    Subscription: SubscriptionFactory,
    # chat
    Chat: ChatFactory,
    ChatParticipant: ChatParticipantFactory,
    Message: MessageFactory,
    MessageRead: MessageReadFactory,
    # reviews
    Review: ReviewFactory,
    ReviewImage: ReviewImageFactory,
    ReviewResponse: ReviewResponseFactory,
    # notifications
    Notification: NotificationFactory,
    NotificationSetting: NotificationSettingFactory,
    # delivery
    DeliveryZone: DeliveryZoneFactory,
    DeliveryTariff: DeliveryTariffFactory,
    # disputes
    Dispute: DisputeFactory,
    DisputeMessage: DisputeMessageFactory,
    ReturnRequest: ReturnRequestFactory,
    ReturnItem: ReturnItemFactory,
    # promotions
    PromoCode: PromoCodeFactory,
    PromoCodeUsage: PromoCodeUsageFactory,
    FlashSale: FlashSaleFactory,
    FlashSaleProduct: FlashSaleProductFactory,
    # analytics
    AnalyticsEvent: AnalyticsEventFactory,
    SellerStatistics: SellerStatisticsFactory,
}
